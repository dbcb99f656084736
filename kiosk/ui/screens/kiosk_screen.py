"""The base of every kiosk screen: renders snapshots, forwards keyboard keys to its keypad."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.app import App
from kivy.properties import BooleanProperty
from kivy.uix.screenmanager import Screen

from kiosk.session_state import SessionSnapshot

if TYPE_CHECKING:
    from kiosk.ui.app import KioskApp
    from kiosk.ui.widgets.keypad import Keypad


class KioskScreen(Screen):
    """A full-window screen. Subclasses override `update` and `active_keypad`.

    `paints_background` is False on the video screens: their video fills the window,
    and painting under it would cost a full-screen fill per frame in software GL.
    """

    paints_background = BooleanProperty(True)

    @property
    def app(self) -> KioskApp:
        """The running kiosk app (for its actions)."""
        return App.get_running_app()  # type: ignore[return-value]

    def update(self, snapshot: SessionSnapshot) -> None:
        """Show the session's newest state (called on every change while visible)."""

    def active_keypad(self) -> Keypad | None:
        """The keypad that receives USB keypad / keyboard digits, if this screen has one."""
        return None

    def handle_keyboard(self, keycode: int, text: str | None) -> bool:
        """A key from a USB keypad or keyboard; True when used."""
        keypad = self.active_keypad()
        return keypad.handle_keyboard(keycode, text) if keypad is not None else False
