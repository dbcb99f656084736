"""The admin PIN lock-out: doubling rounds, a floor, kept across restarts, logged without digits."""

from __future__ import annotations

import json
import logging
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.admin_lockout import (
    FORGET_AFTER_SECONDS,
    MAX_LOCKOUT_SECONDS,
    MIN_LOCKOUT_SECONDS,
    STATE_FILE_NAME,
    AdminLockout,
    LockoutStore,
    admin_lockout_for,
)
from kiosk.config import Settings, load_settings
from kiosk.health.metrics import KioskMetrics
from kiosk.ui.admin.admin_gate import AdminCheck, AdminGate

PIN = "2580"
WRONG = "1397"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def gate_in(state_dir: Path, clock: FakeClock, **kwargs: object) -> AdminGate:
    lockout = AdminLockout(LockoutStore(state_dir), clock=clock, **kwargs)  # type: ignore[arg-type]
    return AdminGate(PIN, lockout)


def fail_round(gate: AdminGate, attempts: int = 3) -> list[AdminCheck]:
    return [gate.check(WRONG) for _ in range(attempts)]


def test_each_failed_round_doubles_the_lockout_up_to_an_hour(tmp_path: Path) -> None:
    clock = FakeClock()
    gate = gate_in(tmp_path, clock)
    lengths = []
    for _ in range(10):
        assert fail_round(gate) == [AdminCheck.WRONG, AdminCheck.WRONG, AdminCheck.LOCKED]
        lengths.append(gate.lock_remaining())
        assert gate.check(PIN) is AdminCheck.LOCKED  # even the right PIN, while locked
        clock.now += gate.lock_remaining()
    assert lengths == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert gate.check(PIN) is AdminCheck.GRANTED
    assert fail_round(gate)[-1] is AdminCheck.LOCKED
    assert gate.lock_remaining() == 30  # the right PIN started the count again


def test_the_lockout_survives_a_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    first = gate_in(tmp_path, clock)
    fail_round(first)
    fail_round(first, 2)  # locked: these do not count
    clock.now += 30
    assert first.check(WRONG) is AdminCheck.WRONG  # one wrong in the second round

    clock.now += 5
    restarted = gate_in(tmp_path, clock)  # a new process reads the file
    assert restarted.check(WRONG) is AdminCheck.WRONG
    assert restarted.check(WRONG) is AdminCheck.LOCKED  # the round went on across the restart
    assert restarted.lock_remaining() == 60  # and it is the second lock-out
    again = gate_in(tmp_path, clock)
    assert again.check(PIN) is AdminCheck.LOCKED
    assert again.lock_remaining() == 60


def test_settings_cannot_lower_the_lockout_to_zero(tmp_path: Path) -> None:
    settings = load_settings(None, environ={
        "PEXIP_NODE": "https://a", "KIOSK_ADMIN_PIN": PIN, "KIOSK_PIN_COOLDOWN_SECONDS": "0",
        "KIOSK_PIN_MAX_ATTEMPTS": "100", "KIOSK_STATE_DIR": str(tmp_path),
    })
    assert settings.pin_cooldown_seconds == 0  # still accepted for meeting PINs
    gate = AdminGate(PIN, admin_lockout_for(settings))

    results = fail_round(gate, 5)

    assert results == [AdminCheck.WRONG] * 4 + [AdminCheck.LOCKED]  # at most 5 per round
    assert gate.lock_remaining() >= MIN_LOCKOUT_SECONDS - 1
    assert (tmp_path / STATE_FILE_NAME).exists()


def test_a_longer_first_lockout_from_the_settings_is_kept(tmp_path: Path) -> None:
    clock = FakeClock()
    gate = gate_in(tmp_path, clock, first_lockout=120.0)
    fail_round(gate)
    assert gate.lock_remaining() == 120
    clock.now += 120
    fail_round(gate)
    assert gate.lock_remaining() == 240


def test_a_clock_set_back_never_lengthens_a_lockout(tmp_path: Path) -> None:
    clock = FakeClock()
    gate = gate_in(tmp_path, clock)
    fail_round(gate)
    clock.now -= 10 * 365 * 86400  # a Pi without a real-time clock boots in the past
    assert gate_in(tmp_path, clock).lock_remaining() == 30


def test_rounds_are_forgotten_after_a_day_without_a_wrong_pin(tmp_path: Path) -> None:
    clock = FakeClock()
    gate = gate_in(tmp_path, clock)
    for _ in range(4):
        fail_round(gate)
        clock.now += gate.lock_remaining()
    clock.now += FORGET_AFTER_SECONDS + 1
    fail_round(gate)
    assert gate.lock_remaining() == 30


def test_each_lockout_is_logged_without_digits_and_counted_in_metrics(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = KioskMetrics(process_metrics=False)
    clock = FakeClock()
    gate = AdminGate(PIN, AdminLockout(LockoutStore(tmp_path), clock=clock,
                                       on_lockout=metrics.record_admin_lockout))
    with caplog.at_level(logging.INFO):
        fail_round(gate)
        clock.now += 30
        fail_round(gate)
        gate.check(PIN)  # locked: no effect

    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "Admin PIN: 3 wrong in a row; the admin screen is locked for 30 s "
        "(lock-out 1; the next one lasts 60 s)",
        "Admin PIN: 3 wrong in a row; the admin screen is locked for 60 s "
        "(lock-out 2; the next one lasts 2 min)",
    ]
    for line in lines:
        assert PIN not in line and WRONG not in line
    rendered = metrics.render().decode()
    assert "kiosk_admin_lockouts_total 2.0" in rendered
    assert "kiosk_admin_lockout_seconds 60.0" in rendered
    saved = (tmp_path / STATE_FILE_NAME).read_text()
    assert PIN not in saved and WRONG not in saved
    assert stat.S_IMODE(os.stat(tmp_path / STATE_FILE_NAME).st_mode) == 0o600
    assert json.loads(saved)["lockouts"] == 2


def test_a_damaged_state_file_is_logged_and_a_new_count_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / STATE_FILE_NAME).write_text('{"lockouts": "many"')
    clock = FakeClock()
    with caplog.at_level(logging.WARNING):
        gate = gate_in(tmp_path, clock)
    assert gate.lock_remaining() == 0
    assert any("is damaged" in r.getMessage() for r in caplog.records)
    fail_round(gate)
    assert json.loads((tmp_path / STATE_FILE_NAME).read_text())["lockouts"] == 1


def test_a_state_dir_that_cannot_be_written_keeps_the_lockout_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    clock = FakeClock()
    gate = gate_in(blocker, clock)
    with caplog.at_level(logging.WARNING):
        fail_round(gate)
        clock.now += 30
        fail_round(gate)
    assert gate.lock_remaining() == 60
    warnings = [r.getMessage() for r in caplog.records if "cannot be written" in r.getMessage()]
    assert len(warnings) == 1  # once, not per wrong PIN


def test_a_fifo_as_state_file_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / STATE_FILE_NAME)
    gate = gate_in(tmp_path, FakeClock())
    assert gate.lock_remaining() == 0


def test_no_admin_pin_means_no_state_file(tmp_path: Path) -> None:
    settings = replace(Settings(), state_dir=tmp_path)
    gate = AdminGate("", admin_lockout_for(settings))
    assert gate.check("1234") is AdminCheck.DISABLED
    assert list(tmp_path.iterdir()) == []


def test_the_state_dir_setting_must_be_an_absolute_directory(tmp_path: Path) -> None:
    from kiosk.config import ConfigError

    base = {"PEXIP_NODE": "https://a"}
    assert load_settings(None, environ=base).state_dir == Path("/var/lib/pexip-kiosk")
    for value, problem in (("relative/dir", "is not an absolute path"),
                           (__file__, "exists and is not a directory")):
        with pytest.raises(ConfigError, match=problem):
            load_settings(None, environ={**base, "KIOSK_STATE_DIR": value})


def test_lockout_lengths_never_exceed_the_cap() -> None:
    lockout = AdminLockout(LockoutStore(None), clock=FakeClock())
    for _ in range(100):
        for _ in range(3):
            lockout.record_wrong()
        assert lockout.remaining() <= MAX_LOCKOUT_SECONDS
        lockout._clock.now += lockout.remaining()  # type: ignore[attr-defined]
