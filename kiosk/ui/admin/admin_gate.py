"""Checks the administrator PIN (KIOSK_ADMIN_PIN); wrong PINs go to the lock-out.

An empty admin PIN disables the admin screen entirely: the app then cannot be
left from the touch screen at all (only by the system, e.g. over SSH). The
lock-out itself (doubling, persisted, with a floor) is `kiosk.admin_lockout`.
"""

from __future__ import annotations

import enum
import hmac

from kiosk.admin_lockout import AdminLockout, LockoutStore


class AdminCheck(enum.Enum):
    """The outcome of one admin PIN attempt."""

    GRANTED = "granted"
    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"


class AdminGate:
    """Compares PINs in constant time; wrong ones are counted by `lockout`."""

    def __init__(self, admin_pin: str, lockout: AdminLockout | None = None) -> None:
        self._pin = admin_pin
        self.lockout = lockout if lockout is not None else AdminLockout(LockoutStore(None))

    @property
    def enabled(self) -> bool:
        """False when no admin PIN is configured."""
        return bool(self._pin)

    def lock_remaining(self) -> float:
        """Seconds until PINs are accepted again (0 when not locked)."""
        return self.lockout.remaining()

    def check(self, pin: str) -> AdminCheck:
        """Try one PIN."""
        if not self.enabled:
            return AdminCheck.DISABLED
        if self.lock_remaining() > 0:
            return AdminCheck.LOCKED
        if hmac.compare_digest(pin.encode(), self._pin.encode()):
            self.lockout.record_granted()
            return AdminCheck.GRANTED
        if self.lockout.record_wrong() > 0:
            return AdminCheck.LOCKED
        return AdminCheck.WRONG
