"""The base of the screens that show the time and date (Home and Idle)."""

from __future__ import annotations

from datetime import datetime

from kivy.clock import Clock, ClockEvent
from kivy.properties import StringProperty

from kiosk.ui.screens.kiosk_screen import KioskScreen


class ClockScreen(KioskScreen):
    """Keeps `clock_text` and `date_text` current (the room's locale, `app.theme.clock`);
    the clock ticks only while the screen is shown.

    Subclasses that override `on_pre_enter` / `on_leave` call `super()` first.
    """

    clock_text = StringProperty("")
    date_text = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self._clock_event: ClockEvent | None = None
        super().__init__(**kwargs)

    def on_pre_enter(self, *_args: object) -> None:
        self._tick(0)
        self._clock_event = Clock.schedule_interval(self._tick, 1.0)

    def on_leave(self, *_args: object) -> None:
        if self._clock_event is not None:
            self._clock_event.cancel()
            self._clock_event = None

    def _tick(self, _dt: float) -> None:
        now = datetime.now()
        clock = self.app.theme.clock.time_text(now)
        date = self.app.theme.clock.date_text(now)
        # Only real changes: the labels are re-rendered once a minute, not once a second.
        if clock != self.clock_text:
            self.clock_text = clock
        if date != self.date_text:
            self.date_text = date
