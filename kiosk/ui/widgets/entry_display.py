"""The field above a keypad: dots for a PIN, digits for a meeting ID."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout


class EntryDisplay(BoxLayout):
    """Shows `value` as digits, or as one dot per digit when `masked`; a placeholder when empty.

    A PIN never appears as digits: `shown_text` is built here from the length only.
    """

    value = StringProperty("")
    masked = BooleanProperty(False)
    placeholder = StringProperty("")
    shown_text = StringProperty("")
    accent = ColorProperty((0, 0, 0, 0))  # the theme's, from entry_display.kv
    dot = StringProperty("")  # the theme's dot icon, from entry_display.kv

    def on_value(self, _instance: object, _value: str) -> None:
        self._refresh()

    def on_masked(self, _instance: object, _value: bool) -> None:
        self._refresh()

    def on_dot(self, _instance: object, _value: str) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if self.masked:
            self.shown_text = " ".join(self.dot for _ in self.value)
        else:
            self.shown_text = self.value
