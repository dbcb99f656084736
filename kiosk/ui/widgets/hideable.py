"""Widgets that can be hidden without catching touches.

Kivy lets a *disabled* widget swallow every touch that lands on it, even when it
is fully transparent; a hidden overlay must instead let touches fall through to
what is visible underneath. These classes ignore touches while `shown` is False.
"""

from __future__ import annotations

from kivy.input.motionevent import MotionEvent
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.widgets.kiosk_button import KioskButton


class HideableMixin:
    """Touches pass through while not `shown` (the kv rule makes it transparent too)."""

    shown = BooleanProperty(True)

    def on_touch_down(self, touch: MotionEvent) -> bool:
        return bool(self.shown and super().on_touch_down(touch))  # type: ignore[misc]

    def on_touch_move(self, touch: MotionEvent) -> bool:
        return bool(self.shown and super().on_touch_move(touch))  # type: ignore[misc]

    def on_touch_up(self, touch: MotionEvent) -> bool:
        return bool(self.shown and super().on_touch_up(touch))  # type: ignore[misc]


class HideableBox(HideableMixin, BoxLayout):
    """A BoxLayout overlay (the DTMF panel) that can be hidden."""


class HideableButton(HideableMixin, KioskButton):
    """A button that can be hidden (the "show self-view" eye)."""
