"""Connecting: the meeting's name, a progress animation and Cancel (which really cancels)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.screens.kiosk_screen import KioskScreen


class ConnectingScreen(KioskScreen):
    """Shown while joining (and while leaving). The spinner runs only while this screen is up."""

    title = StringProperty("")
    leaving = BooleanProperty(False)

    def update(self, snapshot: SessionSnapshot) -> None:
        self.leaving = snapshot.state is SessionState.DISCONNECTING
        name = self.app.meeting_title(snapshot)
        if self.leaving:
            self.title = self.app.theme.texts.leaving_title
        elif snapshot.transfer_target:
            self.title = self.app.theme.texts.moving_to.format(name=name or "")
        else:
            self.title = self.app.theme.texts.connecting_title.format(name=name or "")

    def on_pre_enter(self, *_args: object) -> None:
        self.ids.spinner.active = True

    def on_leave(self, *_args: object) -> None:
        self.ids.spinner.active = False
