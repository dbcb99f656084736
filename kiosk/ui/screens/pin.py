"""PIN: the meeting needs a PIN (or the host PIN, with "Join as guest" when guests may join)."""

from __future__ import annotations

import math
import time

from kivy.clock import Clock, ClockEvent
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.widgets.keypad import Keypad


class PinScreen(KioskScreen):
    """PIN entry with dots. A wrong PIN clears the dots and says so; a cool-down locks the keys."""

    optional = BooleanProperty(False)
    meeting_name = StringProperty("")
    notice = StringProperty("")
    cooldown_seconds = NumericProperty(0)
    locked = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self._attempts = 0
        self._cooldown_until = 0.0
        self._cooldown_event: ClockEvent | None = None
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget: object) -> None:
        # A strong reference: kv ids are weak, and the button is off the tree at times.
        self._guest_button = self.ids.guest.__self__
        self._guest_parent = self._guest_button.parent
        self._guest_index = self._guest_parent.children.index(self._guest_button)
        self._show_guest_button(self.optional)

    def active_keypad(self) -> Keypad:
        return self.ids.keypad

    def update(self, snapshot: SessionSnapshot) -> None:
        self.optional = snapshot.state is SessionState.PIN_OPTIONAL
        self.meeting_name = self.app.meeting_title(snapshot)
        if snapshot.pin_attempts > self._attempts:
            self.ids.keypad.clear()  # a wrong PIN: start again with empty dots
        self._attempts = snapshot.pin_attempts
        if snapshot.pin_cooldown_remaining > 0:
            self._start_cooldown(snapshot.pin_cooldown_remaining)
        if self._cooldown_event is None:
            wrong = self.app.theme.texts.pin_wrong if snapshot.pin_attempts else ""
            self.notice = self.app.theme.translator.render(snapshot.notice) or wrong

    def on_optional(self, _instance: object, optional: bool) -> None:
        if hasattr(self, "_guest_button"):
            self._show_guest_button(optional)

    def _show_guest_button(self, show: bool) -> None:
        # The guest button exists only when guests may join: removed, not just hidden.
        button, parent = self._guest_button, self._guest_parent
        if show and button.parent is None:
            parent.add_widget(button, index=self._guest_index)
        elif not show and button.parent is not None:
            parent.remove_widget(button)

    def guest_button_present(self) -> bool:
        """True when "Join as guest" is on screen."""
        return self._guest_button.parent is not None

    # --- cool-down ----------------------------------------------------------------
    def _start_cooldown(self, remaining: float) -> None:
        self._cooldown_until = time.monotonic() + remaining
        self.locked = True
        self.ids.keypad.clear()
        if self._cooldown_event is None:
            self._cooldown_event = Clock.schedule_interval(self._tick_cooldown, 0.5)
        self._tick_cooldown(0)

    def _tick_cooldown(self, _dt: float) -> None:
        left = self._cooldown_until - time.monotonic()
        if left <= 0:
            self._stop_cooldown()
            return
        self.cooldown_seconds = math.ceil(left)
        self.notice = self.app.theme.texts.pin_cooldown.format(seconds=self.cooldown_seconds)

    def _stop_cooldown(self) -> None:
        if self._cooldown_event is not None:
            self._cooldown_event.cancel()
            self._cooldown_event = None
        self.locked = False
        self.cooldown_seconds = 0
        self.notice = ""

    # --- actions --------------------------------------------------------------------
    def join(self) -> None:
        """Send the typed PIN (Join button or Enter)."""
        pin = self.ids.keypad.value
        if not pin or self.locked:
            return
        self.app.actions.submit_pin(pin)

    def join_as_guest(self) -> None:
        """Join without a PIN (only offered when guests may join)."""
        if self.optional and not self.locked:
            self.ids.keypad.clear()
            self.app.actions.join_as_guest()

    def on_pre_leave(self, *_args: object) -> None:
        # Also here: Kivy skips on_leave when the next screen change interrupts this one
        # (PIN accepted, connected a moment later), and the PIN would stay in the keypad
        # for the next prompt (a transfer into a PIN-protected meeting showed it).
        self.ids.keypad.clear()

    def on_leave(self, *_args: object) -> None:
        # Never keep a PIN in a widget longer than needed.
        self.ids.keypad.clear()
        self._attempts = 0
        self.notice = ""
        self._stop_cooldown()
