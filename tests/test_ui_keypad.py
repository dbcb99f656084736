"""The keypad widget: taps, keyboard keys, masking, locking (real touches through the Window)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def keypad(scale_app: object) -> Iterator[object]:
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.ui.device.fonts import register_fonts
    from kiosk.ui.device.kv_files import load_kv_files
    from kiosk.ui.theme import THEME
    from kiosk.ui.widgets.keypad import Keypad

    register_fonts(THEME.fonts)
    load_kv_files()
    widget = Keypad()
    Window.add_widget(widget)
    widget.pos = (10, 10)
    for _ in range(3):
        Clock.tick()  # lay the keys out
    yield widget
    Window.remove_widget(widget)


@pytest.fixture
def scale_app() -> Iterator[object]:
    """The kv rules read `app.u` and `app.theme`: outside a running kiosk, a stand-in app
    provides them."""
    from kivy.app import App
    from kivy.properties import NumericProperty, ObjectProperty

    from kiosk.ui.theme import THEME

    class ScaleOnly(App):
        u = NumericProperty(1.0)
        theme = ObjectProperty(THEME)

    previous = App._running_app
    app = App._running_app = ScaleOnly()
    yield app
    App._running_app = previous
    app.dispatch("on_stop")  # kv's `app` proxy forgets the stand-in


def test_taps_type_digits_and_fire_on_key(keypad: Any) -> None:
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.widgets.keypad import BACKSPACE, CLEAR

    keys: list[str] = []
    keypad.bind(on_key=lambda _w, key: keys.append(key))
    type_on_keypad(keypad, "12*#0")
    assert keypad.value == "12*#0"
    tap(keypad.key_button(BACKSPACE))
    assert keypad.value == "12*#"
    tap(keypad.key_button(CLEAR))
    assert keypad.value == ""
    assert keys == ["1", "2", "*", "#", "0", BACKSPACE, CLEAR]


@pytest.mark.parametrize("editable", [True, False], ids=["entry", "dtmf"])
def test_keys_are_at_least_64_pixels_on_the_smallest_screen(keypad: Any, editable: bool) -> None:
    from kivy.clock import Clock

    keypad.editable = editable  # the DTMF keypad hides its Clear/backspace row
    for _ in range(3):
        Clock.tick()
    for key in "0123456789*#":
        button = keypad.key_button(key)
        assert button.height >= 64 and button.width >= 64


def test_locked_or_symbol_free_keypads_refuse_keys(keypad: Any) -> None:
    keypad.symbols = False
    assert not keypad.press("#")
    keypad.locked = True
    assert not keypad.press("1")
    assert keypad.key_button("1").disabled
    assert keypad.value == ""


def test_keyboard_and_numeric_keypad_keys(keypad: Any) -> None:
    submitted: list[str] = []
    keypad.bind(on_submit=lambda _w, value: submitted.append(value))
    assert keypad.handle_keyboard(ord("4"), "4")
    assert keypad.handle_keyboard(256 + 7, None)  # numpad 7
    assert keypad.handle_keyboard(268, None)  # numpad *
    assert not keypad.handle_keyboard(ord("a"), "a")
    assert keypad.handle_keyboard(8, None)  # backspace
    assert keypad.value == "47"
    assert keypad.handle_keyboard(271, None)  # numpad enter
    assert submitted == ["47"]


def test_max_length_and_dtmf_mode(keypad: Any) -> None:
    keypad.max_length = 3
    for key in "12345":
        keypad.press(key)
    assert keypad.value == "123"
    keypad.clear()
    keypad.editable = False  # DTMF: every key fires, nothing accumulates
    keys: list[str] = []
    keypad.bind(on_key=lambda _w, key: keys.append(key))
    assert keypad.press("9") and keypad.press("#")
    assert keys == ["9", "#"] and keypad.value == ""


def test_pin_entry_never_shows_digits(scale_app: object) -> None:
    from kiosk.ui.widgets.entry_display import EntryDisplay

    entry = EntryDisplay(masked=True)
    entry.value = "2468"
    assert not any(ch.isdigit() for ch in entry.shown_text)
    assert entry.shown_text.count(" ") == 3
    entry.masked = False
    assert entry.shown_text == "2468"
