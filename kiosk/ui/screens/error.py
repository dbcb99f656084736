"""Error: one human sentence, Back and (where it makes sense) Try again.

Returns home by itself after 30 s.
"""

from __future__ import annotations

import math
import time

from kivy.clock import Clock, ClockEvent
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.navigation.screen_router import can_retry
from kiosk.ui.screens.kiosk_screen import KioskScreen


class ErrorScreen(KioskScreen):
    """Never a traceback or a status code: the message comes from the session's SessionError."""

    message = StringProperty("")
    retry_possible = BooleanProperty(False)
    countdown = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self._deadline = 0.0
        self._event: ClockEvent | None = None
        super().__init__(**kwargs)

    def update(self, snapshot: SessionSnapshot) -> None:
        if snapshot.state is SessionState.ERROR and snapshot.error is not None:
            said = self.app.theme.translator.render(snapshot.error.message)
            self.message = said or self.app.theme.texts.error_generic
            self.retry_possible = can_retry(snapshot)
        else:
            self.message = self.app.theme.texts.error_generic
            self.retry_possible = False

    def on_pre_enter(self, *_args: object) -> None:
        self._deadline = time.monotonic() + self.app.theme.sizes.error_home_seconds
        self._event = Clock.schedule_interval(self._tick, 1.0)
        self._tick(0)

    def on_leave(self, *_args: object) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _tick(self, _dt: float) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.app.dismiss_error()
            return
        self.countdown = self.app.theme.texts.error_auto_home.format(seconds=math.ceil(left))
