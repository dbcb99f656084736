"""The admin PIN gate and the idle timer (no Kivy window needed)."""

from __future__ import annotations

from kiosk.admin_lockout import AdminLockout, LockoutStore
from kiosk.ui.admin.admin_gate import AdminCheck, AdminGate
from kiosk.ui.device.idle_watch import IdleWatch


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_right_pin_opens_wrong_pins_lock_for_the_cooldown() -> None:
    clock = FakeClock()
    gate = AdminGate("2580", AdminLockout(LockoutStore(None), max_attempts=3, first_lockout=30,
                                          clock=clock))
    assert gate.check("2580") is AdminCheck.GRANTED
    assert gate.check("1111") is AdminCheck.WRONG
    assert gate.check("1112") is AdminCheck.WRONG
    assert gate.check("1113") is AdminCheck.LOCKED
    assert gate.check("2580") is AdminCheck.LOCKED  # even the right PIN, while locked
    assert gate.lock_remaining() == 30
    clock.now += 30
    assert gate.check("2580") is AdminCheck.GRANTED


def test_empty_admin_pin_disables_admin() -> None:
    gate = AdminGate("")
    assert not gate.enabled
    assert gate.check("") is AdminCheck.DISABLED


def test_idle_fires_once_after_quiet_seconds_only_while_armed() -> None:
    clock = FakeClock()
    fired: list[bool] = []
    watch = IdleWatch(10, lambda: fired.append(True), clock=clock)
    watch.set_armed(True)
    clock.now += 9
    watch._check(1)
    assert fired == []
    watch.touch()
    clock.now += 9
    watch._check(1)
    assert fired == []
    clock.now += 2
    watch._check(1)
    watch._check(1)
    assert fired == [True]
    watch.set_armed(False)
    clock.now += 100
    watch._check(1)
    assert fired == [True]
