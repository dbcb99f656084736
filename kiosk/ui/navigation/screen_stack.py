"""The app's screens in their ScreenManager: each built the first time it is needed.

Home is built at once (the start-up time people see); `prebuild` builds the rest
one per frame after the first frames, so the UI never stalls while they are built.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock, ClockEvent
from kivy.uix.screenmanager import ScreenManager

from kiosk.ui.navigation.screen_names import ScreenName
from kiosk.ui.navigation.screen_registry import SCREEN_CLASSES
from kiosk.ui.screens.kiosk_screen import KioskScreen

SCREEN_PREBUILD_DELAY = 1.0


class ScreenStack:
    """The screens of one ScreenManager, by name, built lazily."""

    def __init__(self, manager: ScreenManager) -> None:
        self.manager = manager
        self._screens: dict[ScreenName, KioskScreen] = {}
        self._prebuild_event: ClockEvent | None = None

    def screen(self, name: ScreenName) -> KioskScreen:
        """The screen called `name` (built and added to the manager the first time)."""
        screen = self._screens.get(name)
        if screen is None:
            screen = SCREEN_CLASSES[name](name=name.value)
            self._screens[name] = screen
            self.manager.add_widget(screen)
        return screen

    def prebuild(self, still_running: Callable[[], bool]) -> None:
        """Build the screens not built yet, one per frame, from SCREEN_PREBUILD_DELAY on."""
        self._prebuild_event = Clock.schedule_once(
            lambda _dt: self._build_next(still_running), SCREEN_PREBUILD_DELAY)

    def _build_next(self, still_running: Callable[[], bool]) -> None:
        self._prebuild_event = None
        missing = [name for name in SCREEN_CLASSES if name not in self._screens]
        if missing and still_running():
            self.screen(missing[0])
            self._prebuild_event = Clock.schedule_once(
                lambda _dt: self._build_next(still_running), 0)

    def cancel(self) -> None:
        """Stop building screens in the background (the app stops)."""
        if self._prebuild_event is not None:
            self._prebuild_event.cancel()
            self._prebuild_event = None
