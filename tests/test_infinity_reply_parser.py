"""Small pure pieces of the client: Retry-After, reason cleaning, backoff, DTMF and PIN rules."""

from __future__ import annotations

import email.utils

import pytest

from kiosk.infinity.backoff import Backoff
from kiosk.infinity.client import normalize_pin, validate_dtmf
from kiosk.infinity.reply_parser import clean_reason, retry_after_seconds

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("30", 30.0),
        (" 2.5 ", 2.5),
        ("-4", 0.0),
        (email.utils.formatdate(NOW + 90, usegmt=True), 90.0),
        (email.utils.formatdate(NOW - 90, usegmt=True), 0.0),
        ("soon", None),
        ("inf", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(header: str | None, expected: float | None) -> None:
    assert retry_after_seconds(header, now=NOW) == expected


def test_clean_reason() -> None:
    assert clean_reason("  Conference\nlocked\x00 ", "default") == "Conference locked"
    assert clean_reason(None, "default") == "default"
    assert clean_reason({"a": 1}, "default") == "default"
    assert clean_reason("   ", "default") == "default"
    assert clean_reason("token abc123 rejected", "d", secrets=("abc123", None)) == (
        "token *** rejected"
    )
    assert len(clean_reason("x" * 5000, "d")) == 200


def test_backoff_doubles_up_to_the_maximum_and_resets() -> None:
    backoff = Backoff(initial=0.5, maximum=10.0)

    assert [backoff.next_delay() for _ in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5
    with pytest.raises(ValueError):
        Backoff(initial=0.0)


@pytest.mark.parametrize(
    ("typed", "header"), [("1234", "1234"), (" 1234\t", "1234"), ("", "none"), (" ", "none")]
)
def test_normalize_pin(typed: str, header: str) -> None:
    assert normalize_pin(typed) == header


def test_a_pin_that_cannot_be_a_header_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as caught:
        normalize_pin("12 34é")
    assert "12" not in str(caught.value)


def test_validate_dtmf() -> None:
    assert validate_dtmf("1a*#") == "1A*#"
    with pytest.raises(ValueError) as caught:
        validate_dtmf("1357x")
    assert "1357" not in str(caught.value)  # DTMF can be an IVR PIN
