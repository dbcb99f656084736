"""Admin PIN: asked after a 5 s press on the room name; the keypad shows dots."""

from __future__ import annotations

import math

from kivy.clock import Clock, ClockEvent
from kivy.properties import BooleanProperty, StringProperty

from kiosk.ui.admin.admin_gate import AdminCheck
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.widgets.keypad import Keypad

LONG_LOCKOUT_SECONDS = 120  # beyond this the wait is shown in minutes


class AdminUnlockScreen(KioskScreen):
    """Checks the admin PIN locally (AdminGate); wrong PINs clear the dots, too many lock it."""

    notice = StringProperty("")
    locked = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self._event: ClockEvent | None = None
        super().__init__(**kwargs)

    def active_keypad(self) -> Keypad:
        return self.ids.keypad

    def on_pre_enter(self, *_args: object) -> None:
        self.ids.keypad.clear()
        self.notice = ""
        self._refresh_lock(0)

    def on_leave(self, *_args: object) -> None:
        self.ids.keypad.clear()
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def unlock(self) -> None:
        """Check the typed PIN."""
        pin = self.ids.keypad.value
        self.ids.keypad.clear()
        if not pin:
            return
        result = self.app.admin.unlock(pin)
        if result is AdminCheck.WRONG:
            self.notice = self.app.theme.texts.admin_wrong_pin
        elif result is AdminCheck.LOCKED:
            self._refresh_lock(0)

    def _refresh_lock(self, _dt: float) -> None:
        left = self.app.admin.gate.lock_remaining()
        self.locked = left > 0
        if self.locked:
            texts = self.app.theme.texts
            # The admin lock-out doubles up to an hour: "58 min", not "3480 s".
            self.notice = (texts.pin_cooldown.format(seconds=math.ceil(left))
                           if left <= LONG_LOCKOUT_SECONDS
                           else texts.pin_cooldown_minutes.format(minutes=math.ceil(left / 60)))
            if self._event is None:
                self._event = Clock.schedule_interval(self._refresh_lock, 0.5)
        else:
            if self._event is not None:
                self._event.cancel()
                self._event = None
                self.notice = ""
