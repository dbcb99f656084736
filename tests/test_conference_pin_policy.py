"""PIN validation and the wrong-PIN cool-down (pure rules, with a controllable clock)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.session.pin_policy import PinPolicy, PinRejected, cooldown_notice, validate_pin


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("typed", "sent"),
    [("1234", "1234"), (" 1234 ", "1234"), ("1234#", "1234"), ("0", "0"),
     ("9" * 20, "9" * 20), ("", ""), ("#", ""), ("  ", "")],
)
def test_valid_pins_are_normalised(typed: str, sent: str) -> None:
    assert validate_pin(typed) == sent


@pytest.mark.parametrize(
    "typed", ["12a4", "12 34", "1234##", "#1234", "9" * 21, "١٢٣", "²", "12-34", "*1"]
)
def test_malformed_pins_are_refused_without_echoing_them(typed: str) -> None:
    with pytest.raises(PinRejected) as refused:
        validate_pin(typed)
    assert "1 to 20 digits" in str(refused.value)
    assert typed.strip() not in str(refused.value) or not typed.strip()


@given(st.text(max_size=40))
def test_validate_pin_accepts_only_ascii_digits(typed: str) -> None:
    try:
        pin = validate_pin(typed)
    except PinRejected:
        return
    assert pin == "" or (pin.isascii() and pin.isdigit() and 1 <= len(pin) <= 20)


def test_three_wrong_pins_start_the_cooldown_which_then_ends() -> None:
    clock = Clock()
    policy = PinPolicy(max_attempts=3, cooldown_seconds=30, clock=clock)
    assert policy.record_wrong() is False
    assert policy.record_wrong() is False
    policy.check_allowed()
    assert policy.record_wrong() is True
    assert policy.cooldown_remaining() == pytest.approx(30)
    with pytest.raises(PinRejected, match="Try again in 30 s"):
        policy.check_allowed()
    clock.now += 29.2
    with pytest.raises(PinRejected, match="Try again in 1 s"):
        policy.check_allowed()
    clock.now += 1
    policy.check_allowed()
    assert policy.cooldown_remaining() == 0
    assert policy.wrong_in_a_row == 0  # a new row of attempts


def test_an_accepted_pin_resets_the_count() -> None:
    policy = PinPolicy(max_attempts=3, cooldown_seconds=30, clock=Clock())
    policy.record_wrong()
    policy.record_wrong()
    policy.record_accepted()
    assert policy.wrong_in_a_row == 0
    assert policy.record_wrong() is False


def test_no_cooldown_when_configured_to_zero() -> None:
    policy = PinPolicy(max_attempts=1, cooldown_seconds=0, clock=Clock())
    assert policy.record_wrong() is False
    policy.check_allowed()


def test_cooldown_notice_rounds_up_to_whole_seconds() -> None:
    assert cooldown_notice(0.2) == "Too many wrong PINs. Try again in 1 s"
    assert cooldown_notice(29.01) == "Too many wrong PINs. Try again in 30 s"


def test_the_cooldown_is_shown_in_whole_seconds_and_says_when_that_changes() -> None:
    clock = Clock()
    policy = PinPolicy(max_attempts=1, cooldown_seconds=2, clock=clock)
    assert policy.whole_seconds_left() == 0.0 and policy.until_next_second() is None
    policy.record_wrong()
    assert policy.whole_seconds_left() == 2.0
    assert policy.until_next_second() == pytest.approx(1.0)
    clock.now += 0.4
    assert policy.whole_seconds_left() == 2.0
    assert policy.until_next_second() == pytest.approx(0.6)
    clock.now += 0.6  # exactly one second left
    assert policy.whole_seconds_left() == 1.0
    assert policy.until_next_second() == pytest.approx(1.0)
    clock.now += 0.99
    assert policy.whole_seconds_left() == 1.0
    assert policy.until_next_second() == pytest.approx(0.01)
    clock.now += 0.01
    assert policy.whole_seconds_left() == 0.0 and policy.until_next_second() is None
    assert policy.wrong_in_a_row == 0
