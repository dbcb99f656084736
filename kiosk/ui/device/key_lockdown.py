"""No Kivy debug or settings key works on the kiosk.

A USB keyboard plugged into a room panel must not open Kivy's settings panel
(F1), the widget inspector or the Python console (Ctrl+E), take screenshots
(F12), rotate the screen (F11), record or replay input (F6-F8), or start any
other Kivy module. Three layers, because each key reaches Kivy by another path:

- `strip_kivy_modules()` empties Kivy's `[modules]` section (a `config.ini` in
  KIVY_HOME may list inspector, console, keybinding, recorder, webdebugger...)
  before the window exists, and deactivates any module already running;
- the app never opens its settings panel (`KioskApp.open_settings` is off);
- the window guard swallows function keys and every Ctrl/Alt/Meta combination
  before any other handler (`is_developer_key`).

This applies to the demo as well: it is what a customer sees. Only Escape and
the window's close button are left to the desktop demo (`allow_exit`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection

log = logging.getLogger(__name__)

# F1..F15 in Kivy's keycodes (Kivy's SDL2 window also maps Print Screen, Scroll Lock and
# Pause there: it numbers SDL's F13-F15 from their scancodes).
FUNCTION_KEYS = frozenset(range(282, 297))
# Keys Kivy leaves as SDL keycodes or names otherwise: Menu and Application (the context-menu
# key, App.open_settings on some platforms), and Kivy's own print/screenlock/pause codes.
SPECIAL_KEYS = frozenset({319, 1073741925, 1073741942, 144, 145, 19})
COMMAND_MODIFIERS = frozenset({"ctrl", "alt", "meta", "super", "alt-gr"})


def is_developer_key(keycode: int, modifiers: Collection[str] | None) -> bool:
    """True for a key a kiosk never lets through: F-keys, special keys, Ctrl/Alt/Meta combos."""
    if keycode in FUNCTION_KEYS or keycode in SPECIAL_KEYS:
        return True
    return bool(COMMAND_MODIFIERS.intersection(modifiers or ()))


def strip_kivy_modules() -> list[str]:
    """Remove every module from Kivy's Config and stop any that already runs; their names."""
    from kivy.config import Config
    from kivy.modules import Modules

    names = list(Config.options("modules")) if Config.has_section("modules") else []
    for name in names:
        Config.remove_option("modules", name)
    if names:
        log.info("Kivy modules turned off on the kiosk: %s", ", ".join(sorted(names)))
    # Deactivates every module no longer in Config on the window (if there is one yet).
    Modules.update()
    return names
