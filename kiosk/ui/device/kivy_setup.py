"""Prepares Kivy for the kiosk BEFORE its window exists: environment, and Config values.

Kivy reads its environment at import time and its window settings when the
window is created, so `prepare_environment` runs before any kivy import and
`configure_window` before `kivy.core.window` is imported.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

from kiosk.config import Settings
from kiosk.ui.device.key_lockdown import strip_kivy_modules
from kiosk.ui.launch.launch_options import LaunchOptions

DESIGN_SIZE = (800, 480)
MAX_FPS = 30  # at start; kiosk.ui.device.display_rate raises it while video is shown


def has_display(environ: MutableMapping[str, str]) -> bool:
    """True when an X11 or Wayland display, or an explicit SDL video driver, is available."""
    return bool(
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY") or environ.get("SDL_VIDEODRIVER")
    )


def on_kms_console(dri_dir: Path = Path("/dev/dri")) -> bool:
    """True on a text console of a machine with a GPU (a Pi with Raspberry Pi OS Lite).

    There SDL draws straight on KMS/DRM, so `pexip-kiosk demo` or `run` started from
    the console shows on the screen instead of rendering offscreen.
    """
    return sys.stdin is not None and sys.stdin.isatty() and any(dri_dir.glob("card*"))


def _kivy_home(env: MutableMapping[str, str]) -> str:
    """Kivy writes a config.ini on first start: a cache folder of ours, not ~/.kivy."""
    cache = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = cache / "pexip-kiosk" / "kivy"
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        return tempfile.mkdtemp(prefix="kiosk-kivy-")
    return str(home)


def prepare_environment(environ: MutableMapping[str, str] | None = None) -> bool:
    """Set Kivy's environment; returns True when rendering offscreen (no display at all)."""
    env = os.environ if environ is None else environ
    headless = False
    if not has_display(env):
        if on_kms_console():
            env["SDL_VIDEODRIVER"] = "kmsdrm"
        else:
            headless = True
            env["SDL_VIDEODRIVER"] = "offscreen"  # EGL + Mesa software GL, no window system
    env.setdefault("KIVY_NO_ARGS", "1")  # the kiosk's own CLI owns sys.argv
    env.setdefault("KIVY_NO_FILELOG", "1")
    env.setdefault("KIVY_NO_CONSOLELOG", "1")
    env.setdefault("KIVY_LOG_MODE", "PYTHON")  # logging stays ours (and redacted)
    # The kiosk draws no image files (icons are a font): SDL2_image alone, so Kivy does not
    # load its Pillow provider (Pillow's import and memory) for nothing.
    env.setdefault("KIVY_IMAGE", "sdl2")
    if "KIVY_HOME" not in env:
        env["KIVY_HOME"] = _kivy_home(env)
    if headless:
        env.setdefault("SDL_AUDIODRIVER", "dummy")
    return headless


def configure_window(settings: Settings, options: LaunchOptions) -> None:
    """Kivy Config for a locked-down kiosk window (call before the window is created)."""
    from kivy.config import Config

    width, height = options.window_size or DESIGN_SIZE
    Config.set("kivy", "exit_on_escape", "1" if options.allow_exit else "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("graphics", "maxfps", str(MAX_FPS))
    Config.set("graphics", "rotation", str(settings.rotation))
    Config.set("graphics", "show_cursor", "1" if options.allow_exit else "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "1" if options.allow_exit else "0")
    if settings.fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
    else:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "borderless", "0")
    # Exactly one touch provider: SDL's pointer events. A second one (hidinput found by
    # probesysfs) would deliver every tap twice on a touch panel.
    for option in list(Config.options("input")):
        if option != "mouse":
            Config.remove_option("input", option)
    Config.set("input", "mouse", "mouse,disable_multitouch")
    # No inspector, console, screenshot or recorder keys (a config.ini may list them).
    strip_kivy_modules()
