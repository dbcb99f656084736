"""Kiosk lock-down: no Kivy debug or settings key opens anything, pressed as a USB keyboard does.

The keys go through SDL's event queue into the real Window (`sdl_keyboard`),
with Kivy's debug modules switched on in its Config as a `config.ini` could do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdl_keyboard import (
    APPLICATION,
    ESCAPE,
    KMOD_LALT,
    KMOD_LCTRL,
    KMOD_LGUI,
    KMOD_LSHIFT,
    MENU,
    PRINT_SCREEN,
    Key,
    digit,
    function_key,
    letter,
    press,
)
from ui_harness import kiosk_settings, running_kiosk

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread

# Every Kivy module with a key or an overlay, as a config.ini could list them.
DEBUG_MODULES = ("inspector", "console", "keybinding", "recorder", "monitor", "showborder",
                 "touchring", "joycursor", "webdebugger", "cursor")
# The ones that can start in a headless test process (the console wants an X clipboard and
# ends the process without one; monitor and webdebugger cannot be stopped cleanly or need
# flask): these are started on the window before the kiosk, which must stop them.
STARTABLE = ("inspector", "keybinding", "recorder", "showborder", "touchring", "joycursor")
E = letter("e")
KEYS: list[Key] = [
    *(function_key(n) for n in range(1, 16)),  # F1 settings, F12 screenshot, F11 rotate, F6-F8
    function_key(11).with_mod(KMOD_LSHIFT, "Shift"),
    function_key(12).with_mod(KMOD_LSHIFT, "Shift"),
    function_key(4).with_mod(KMOD_LALT, "Alt"),
    E.with_mod(KMOD_LCTRL, "Ctrl"),  # the inspector, the console, joycursor
    E.with_mod(KMOD_LCTRL | KMOD_LSHIFT, "Ctrl+Shift"),
    letter("q").with_mod(KMOD_LCTRL, "Ctrl"),
    letter("w").with_mod(KMOD_LGUI, "Meta"),
    MENU, APPLICATION, PRINT_SCREEN, ESCAPE,
]


@pytest.fixture
def debug_modules_configured() -> Iterator[None]:
    """Kivy's Config lists the debug modules, as a config.ini in KIVY_HOME could."""
    from kivy.config import Config
    from kivy.modules import Modules

    for name in DEBUG_MODULES:
        Config.set("modules", name, "")
    for window in list(Modules.wins):  # a window exists if an earlier test made it
        for name in STARTABLE:
            Modules.activate_module(name, window)
    yield
    for name in DEBUG_MODULES:
        if Config.has_option("modules", name):
            Config.remove_option("modules", name)
    Modules.update()


def widget_classes() -> set[str]:
    from kivy.core.window import Window

    return {type(widget).__name__ for child in Window.children
            for widget in child.walk(restrict=False)}


async def test_no_kivy_debug_or_settings_key_opens_anything(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, debug_modules_configured: None,
) -> None:
    # Nothing here may create the Window before the kiosk does (it would start the modules).
    from kivy.modules import Modules

    from kiosk.ui.navigation.screen_names import ScreenName

    monkeypatch.chdir(tmp_path)  # where F12 screenshots or F8 recordings would be written
    settings = kiosk_settings(sim_settings)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        from kivy.config import Config
        from kivy.core.window import Window

        active = [name for name in DEBUG_MODULES
                  if Modules.mods.get(name, {}).get("activated")]
        assert active == []
        assert Config.options("modules") == []
        children = list(Window.children)
        rotation = Window.rotation
        before = widget_classes()

        for key in KEYS:
            await press(key)
            await asyncio.sleep(0.05)  # a frame for anything that would open
            # Checked after every key: a later key (Escape) could close what one opened.
            opened = widget_classes() - before
            assert opened == set(), f"{key.name} opened {opened}"
            assert list(Window.children) == children, f"{key.name} added to the window"
            assert Window.rotation == rotation, f"{key.name} rotated the screen"
            assert kiosk.app.current_screen is ScreenName.HOME, key.name
            assert list(tmp_path.iterdir()) == [], f"{key.name} wrote a file"

        assert not {"Settings", "SettingsWithSpinner", "Inspector", "Console"} & widget_classes()

        # The same path delivers the keys a kiosk does use: digits on the meeting-ID keypad.
        kiosk.app.open_meeting_id()
        screen = await kiosk.wait_screen(ScreenName.MEETING_ID)
        for char in "4711":
            await press(digit(char))
        assert screen.ids.keypad.value == "4711"
