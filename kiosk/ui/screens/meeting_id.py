"""Meeting ID: a number typed on the keypad, either an alias to dial (from Home) or the
meeting number a Virtual Reception asks for (EXTENSION_REQUIRED)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.widgets.keypad import Keypad


class MeetingIdScreen(KioskScreen):
    """Digits shown as typed. `extension` is True while a Virtual Reception waits for a number."""

    extension = BooleanProperty(False)
    meeting_name = StringProperty("")
    notice = StringProperty("")

    def active_keypad(self) -> Keypad:
        return self.ids.keypad

    def update(self, snapshot: SessionSnapshot) -> None:
        self.extension = snapshot.state is SessionState.EXTENSION_REQUIRED
        self.meeting_name = self.app.meeting_title(snapshot) if self.extension else ""
        self.notice = self.app.theme.translator.render(snapshot.notice) if self.extension else ""

    def join(self) -> None:
        """Dial the typed ID, or send it as the meeting number."""
        number = self.ids.keypad.value
        if not number:
            return
        if self.extension:
            self.app.actions.submit_extension(number)
        else:
            self.app.actions.dial_meeting_id(number)

    def cancel(self) -> None:
        """Back to Home (and end the reception's join when there is one)."""
        if self.extension:
            self.app.actions.cancel_join()
        else:
            self.app.close_meeting_id()

    def on_leave(self, *_args: object) -> None:
        self.ids.keypad.clear()
