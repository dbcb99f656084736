"""Synthetic touches on real widgets, for the demo autopilot, the benchmark and the tests.

A touch goes through the Window like a finger on the panel would (the app's
window-level handlers see it first, then the widget tree), not through a
shortcut into the widget.
"""

from __future__ import annotations

import asyncio

from kivy.tests.common import UnitTestTouch
from kivy.uix.widget import Widget

from kiosk.ui.widgets.keypad import Keypad


def _window_point(widget: Widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


def tap(widget: Widget) -> None:
    """Touch down and up at the centre of `widget` (synchronously dispatched)."""
    x, y = _window_point(widget)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()


def tap_at(x: float, y: float) -> None:
    """Touch down and up at window coordinates (x, y)."""
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()


def type_on_keypad(keypad: Keypad, keys: str) -> None:
    """Tap the keypad's keys one after the other."""
    for key in keys:
        tap(keypad.key_button(key))


async def long_press(widget: Widget, seconds: float) -> None:
    """Hold a finger on `widget` for `seconds`, then lift it."""
    x, y = _window_point(widget)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    try:
        await asyncio.sleep(seconds)
    finally:
        touch.touch_up()
