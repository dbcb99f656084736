"""Calls `on_idle` once nobody has touched the screen for `idle_seconds` while armed (on Home)."""

from __future__ import annotations

import time
from collections.abc import Callable

from kivy.clock import Clock, ClockEvent


class IdleWatch:
    """A 1 Hz check against the last touch; `idle_seconds` 0 turns idling off."""

    def __init__(
        self,
        idle_seconds: float,
        on_idle: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle_seconds = idle_seconds
        self._on_idle = on_idle
        self._clock = clock
        self._last_activity = clock()
        self._armed = False
        self._event: ClockEvent | None = None

    def start(self) -> None:
        """Begin checking (once a second)."""
        if self._idle_seconds > 0 and self._event is None:
            self._event = Clock.schedule_interval(self._check, 1.0)

    def stop(self) -> None:
        """Stop checking."""
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def touch(self) -> None:
        """Someone touched the screen or pressed a key."""
        self._last_activity = self._clock()

    def set_armed(self, armed: bool) -> None:
        """Idle only counts while armed (Home on screen); arming restarts the count."""
        if armed and not self._armed:
            self._last_activity = self._clock()
        self._armed = armed

    def _check(self, _dt: float) -> None:
        if self._armed and self._clock() - self._last_activity >= self._idle_seconds:
            self._armed = False
            self._on_idle()
