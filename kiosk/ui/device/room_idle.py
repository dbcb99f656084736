"""The room at rest: after KIOSK_IDLE_SECONDS untouched on Home the backlight dims and the
idle screen shows; the first touch or key wakes it (`app.idle.wake()`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.config import Settings
from kiosk.ui.device.backlight import Backlight
from kiosk.ui.device.idle_watch import IdleWatch
from kiosk.ui.navigation.screen_router import LocalMode
from kiosk.ui.navigation.ui_state import UiState

log = logging.getLogger(__name__)


class RoomIdle:
    """The backlight and the idle watch, switched with the idle mode of `ui`."""

    def __init__(self, settings: Settings, ui: UiState, home_shown: Callable[[], bool]) -> None:
        self._ui = ui
        self._home_shown = home_shown
        self.backlight = Backlight.from_setting(settings.backlight)
        self.watch = IdleWatch(settings.idle_seconds, self.go_idle)

    @property
    def is_idle(self) -> bool:
        """The idle screen is up."""
        return self._ui.mode is LocalMode.IDLE

    def go_idle(self) -> None:
        """Dim and show the idle screen, if Home is what the room shows."""
        if self._ui.mode is LocalMode.HOME and self._home_shown():
            log.info("Idle: dimming")
            self.backlight.dim()
            self._ui.set_context(mode=LocalMode.IDLE)

    def wake(self) -> None:
        """Leave the idle screen (first touch or key)."""
        self.backlight.restore()
        self.watch.touch()
        if self._ui.mode is LocalMode.IDLE:
            self._ui.set_context(mode=LocalMode.HOME)

    def stop(self) -> None:
        """The app stops: no more idle checks, the backlight as it was."""
        self.watch.stop()
        self.backlight.restore()
