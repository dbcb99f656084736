"""Idle: a dark clock screen after the room has been left alone on Home; any touch wakes it."""

from __future__ import annotations

import time

from kivy.clock import Clock, ClockEvent
from kivy.properties import StringProperty

from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.theme import THEME


class IdleScreen(KioskScreen):
    """Nothing to press here: the app turns the first touch into a wake-up."""

    clock_text = StringProperty("")
    date_text = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self._event: ClockEvent | None = None
        super().__init__(**kwargs)

    def on_pre_enter(self, *_args: object) -> None:
        self._tick(0)
        self._event = Clock.schedule_interval(self._tick, 1.0)

    def on_leave(self, *_args: object) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _tick(self, _dt: float) -> None:
        now = time.localtime()
        clock = time.strftime(THEME.texts.time_format, now)
        date = time.strftime(THEME.texts.date_format, now)
        if clock != self.clock_text:
            self.clock_text = clock
        if date != self.date_text:
            self.date_text = date
