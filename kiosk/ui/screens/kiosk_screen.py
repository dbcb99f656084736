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

    def __init__(self, **kwargs: object) -> None:
        # Kept: a timer firing just after the app stopped still finds its theme.
        self._app: KioskApp = App.get_running_app()  # type: ignore[assignment]
        super().__init__(**kwargs)

    @property
    def app(self) -> KioskApp:
        """The kiosk app this screen belongs to (its actions, theme and texts)."""
        return self._app

    def update(self, snapshot: SessionSnapshot) -> None:
        """Show the session's newest state (called on every change while visible)."""

    def active_keypad(self) -> Keypad | None:
        """The keypad that receives USB keypad / keyboard digits, if this screen has one."""
        return None

    def handle_keyboard(self, keycode: int, text: str | None) -> bool:
        """A key from a USB keypad or keyboard; True when used."""
        keypad = self.active_keypad()
        return keypad.handle_keyboard(keycode, text) if keypad is not None else False
