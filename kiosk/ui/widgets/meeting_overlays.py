"""Full-screen overlays of meeting events: "On hold", and the node's splash screen."""

from __future__ import annotations

import io
import logging

from kivy.core.image import Image as CoreImage
from kivy.properties import ObjectProperty, StringProperty

from kiosk.session.room_view import SplashScreen
from kiosk.ui.widgets.hideable import HideableBox

log = logging.getLogger(__name__)


class HoldOverlay(HideableBox):
    """Covers the call while the node holds it (touches reach nothing underneath)."""

    def on_touch_down(self, touch: object) -> bool:
        return bool(self.shown) or super().on_touch_down(touch)


class SplashOverlay(HideableBox):
    """The node's theme screen: its background image and text, while it lasts."""

    texture = ObjectProperty(None, allownone=True)
    text = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self._screen: SplashScreen | None = None
        super().__init__(**kwargs)

    def show(self, screen: SplashScreen | None) -> None:
        """Show `screen` (None: hide)."""
        if screen == self._screen:
            return
        self._screen = screen
        self.shown = screen is not None
        self.text = screen.text if screen is not None else ""
        self.texture = self._decode(screen) if screen is not None else None

    @staticmethod
    def _decode(screen: SplashScreen) -> object | None:
        if not screen.background:
            return None
        ext = screen.background_name.rsplit(".", 1)[-1].lower() or "png"
        try:
            return CoreImage(io.BytesIO(screen.background), ext=ext).texture
        except Exception as exc:  # a broken image must not break the call screen
            log.warning("The splash screen's image could not be shown (%s)", type(exc).__name__)
            return None

    def on_touch_down(self, touch: object) -> bool:
        return bool(self.shown) or super().on_touch_down(touch)
