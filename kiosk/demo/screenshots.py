"""Screenshots of the kiosk's screens at several window sizes, for the demo autopilot.

One Kivy window exists per process and an offscreen window cannot be resized
reliably, so each picture is rendered into an off-screen framebuffer: the
screen tree is laid out at the wanted size (and the UI scale set for it),
drawn into an Fbo and saved as PNG; then the real layout is restored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.ui.app import KioskApp

log = logging.getLogger(__name__)

SCREENSHOT_SIZES: tuple[tuple[int, int], ...] = ((800, 480), (1280, 720))
SETTLE_SECONDS = 0.25


def screenshot_name(screen: str, size: tuple[int, int], label: str = "") -> str:
    """`<screen>[-<label>]_<W>x<H>.png` (labels describe a state, never contain a PIN)."""
    stem = f"{screen}-{label}" if label else screen
    return f"{stem}_{size[0]}x{size[1]}.png"


class ScreenshotTaker:
    """Saves the current screen at each size into `directory` and remembers what it saved."""

    def __init__(
        self, app: KioskApp, directory: Path, sizes: Sequence[tuple[int, int]] = SCREENSHOT_SIZES
    ) -> None:
        self._app = app
        self._directory = directory
        self._sizes = tuple(sizes)
        self.saved: list[Path] = []
        # "<file>: <label> ...": text that did not fit in a screenshot (kiosk.demo.layout_check).
        self.overflows: list[str] = []
        directory.mkdir(parents=True, exist_ok=True)

    async def take(self, label: str = "") -> list[Path]:
        """Save the screen on top now at every size; returns the files written."""
        from kivy.core.window import Window

        from kiosk.demo.layout_check import find_overflows

        app = self._app
        root = app.root
        assert root is not None
        screen = app.current_screen.value
        written = []
        # Detach the root from the window's size while drawing it at other sizes.
        root.size_hint = (None, None)
        try:
            for size in self._sizes:
                root.size = size
                app.u = app.theme.scale_for(*size)
                await asyncio.sleep(SETTLE_SECONDS)  # a few frames: layout and textures settle
                path = self._directory / screenshot_name(screen, size, label)
                root.export_to_png(str(path))
                written.append(path)
                for problem in find_overflows(root, size):
                    self.overflows.append(f"{path.name}: {problem}")
                    log.warning("Text does not fit in %s: %s", path.name, problem)
        finally:
            root.size_hint = (1, 1)
            root.size = Window.size
            app.u = app.theme.scale_for(*Window.size)
        self.saved.extend(written)
        log.info("Screenshots of %s: %s", screen, ", ".join(p.name for p in written))
        return written
