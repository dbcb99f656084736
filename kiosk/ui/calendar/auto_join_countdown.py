"""The 10-second countdown before the room joins a calendar meeting by itself."""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock, ClockEvent

from kiosk.calendar.auto_join_policy import COUNTDOWN_SECONDS
from kiosk.calendar.calendar_meeting import CalendarMeeting


class AutoJoinCountdown:
    """Counts down once a second (`on_tick(meeting, seconds)`), then `on_done(meeting)`;
    `cancel()` stops it (`on_tick(None, 0)`)."""

    def __init__(self, on_tick: Callable[[CalendarMeeting | None, int], None],
                 on_done: Callable[[CalendarMeeting], None],
                 seconds: int = COUNTDOWN_SECONDS) -> None:
        self._on_tick = on_tick
        self._on_done = on_done
        self._seconds = seconds
        self._meeting: CalendarMeeting | None = None
        self._remaining = 0
        self._event: ClockEvent | None = None

    @property
    def meeting(self) -> CalendarMeeting | None:
        """The meeting counted down for, while counting."""
        return self._meeting

    @property
    def remaining(self) -> int:
        """Whole seconds left (0 when not counting)."""
        return self._remaining

    def start(self, meeting: CalendarMeeting) -> None:
        """Start counting down for `meeting` (a countdown already running goes on)."""
        if self._meeting is not None:
            return
        self._meeting = meeting
        self._remaining = self._seconds
        self._on_tick(meeting, self._remaining)
        self._event = Clock.schedule_interval(self._tick, 1.0)

    def _tick(self, _dt: float) -> None:
        meeting = self._meeting
        if meeting is None:
            return
        self._remaining -= 1
        if self._remaining > 0:
            self._on_tick(meeting, self._remaining)
            return
        self._stop()
        self._on_tick(None, 0)
        self._on_done(meeting)

    def cancel(self) -> None:
        """Stop counting; nothing is joined."""
        if self._meeting is not None:
            self._stop()
            self._on_tick(None, 0)

    def _stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._meeting = None
        self._remaining = 0
