"""Checks the administrator PIN (KIOSK_ADMIN_PIN) with a lock-out after repeated wrong tries.

An empty admin PIN disables the admin screen entirely: the app then cannot be
left from the touch screen at all (only by the system, e.g. over SSH).
"""

from __future__ import annotations

import enum
import hmac
import time
from collections.abc import Callable


class AdminCheck(enum.Enum):
    """The outcome of one admin PIN attempt."""

    GRANTED = "granted"
    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"


class AdminGate:
    """Compares PINs in constant time; `max_attempts` wrong ones lock it for `cooldown` seconds."""

    def __init__(
        self,
        admin_pin: str,
        max_attempts: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pin = admin_pin
        self._max_attempts = max(1, max_attempts)
        self._cooldown = cooldown
        self._clock = clock
        self._wrong = 0
        self._locked_until = 0.0

    @property
    def enabled(self) -> bool:
        """False when no admin PIN is configured."""
        return bool(self._pin)

    def lock_remaining(self) -> float:
        """Seconds until PINs are accepted again (0 when not locked)."""
        return max(0.0, self._locked_until - self._clock())

    def check(self, pin: str) -> AdminCheck:
        """Try one PIN."""
        if not self.enabled:
            return AdminCheck.DISABLED
        if self.lock_remaining() > 0:
            return AdminCheck.LOCKED
        if hmac.compare_digest(pin.encode(), self._pin.encode()):
            self._wrong = 0
            return AdminCheck.GRANTED
        self._wrong += 1
        if self._wrong >= self._max_attempts:
            self._wrong = 0
            self._locked_until = self._clock() + self._cooldown
            return AdminCheck.LOCKED
        return AdminCheck.WRONG
