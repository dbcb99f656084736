"""Sets the display's tick rate for the screen on top: full rate for video and for a screen
in use, slower once a still screen is left alone."""

from __future__ import annotations

from kivy.clock import Clock, ClockEvent

from kiosk.ui.device.display_rate import (
    MENU_FPS,
    QUIET_AFTER_SECONDS,
    QUIET_FPS,
    VIDEO_FPS,
    set_display_rate,
)
from kiosk.ui.navigation.screen_names import ScreenName
from kiosk.ui.navigation.screen_registry import STILL_SCREENS, VIDEO_SCREENS


class DisplayPacer:
    """Call `pace(screen)` on every screen change and every touch or key."""

    def __init__(self) -> None:
        self._quiet_event: ClockEvent | None = None

    def pace(self, screen: ScreenName) -> None:
        """Full rate now; a still screen drops to the quiet rate after a while untouched."""
        self._cancel()
        if screen in VIDEO_SCREENS:
            set_display_rate(VIDEO_FPS)
            return
        set_display_rate(MENU_FPS)
        if screen in STILL_SCREENS:
            self._quiet_event = Clock.schedule_once(
                lambda _dt: set_display_rate(QUIET_FPS), QUIET_AFTER_SECONDS
            )

    def stop(self) -> None:
        """The app ends: back to the menu rate, no timer left."""
        self._cancel()
        set_display_rate(MENU_FPS)

    def _cancel(self) -> None:
        if self._quiet_event is not None:
            self._quiet_event.cancel()
            self._quiet_event = None
