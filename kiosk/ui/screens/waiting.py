"""Waiting for the host: the far end's picture, a message, and Leave. Moves on by itself."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.media.interface import MediaCall
from kiosk.session_state import SessionSnapshot
from kiosk.ui.screens.kiosk_screen import KioskScreen


class WaitingScreen(KioskScreen):
    """Shown while a guest is held in the waiting room; the session moves it on."""

    meeting_name = StringProperty("")
    has_media = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self._media: MediaCall | None = None
        super().__init__(**kwargs)

    def update(self, snapshot: SessionSnapshot) -> None:
        self.meeting_name = self.app.meeting_title(snapshot)
        media = self.app.media_call()
        if media is not self._media:
            self._media = media
            self.has_media = media is not None
            self.ids.remote.source = media.remote_video if media is not None else None

    def on_pre_enter(self, *_args: object) -> None:
        self.ids.remote.active = True
        self.ids.spinner.active = True

    def on_leave(self, *_args: object) -> None:
        self.ids.remote.active = False
        self.ids.spinner.active = False
        self.ids.remote.source = None
        self._media = None
