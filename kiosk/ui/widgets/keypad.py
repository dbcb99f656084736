"""The numeric keypad, reused for PINs, meeting IDs and DTMF tones.

Keys 1-9, *, 0, #, backspace and clear; digits also come from a USB keypad or
keyboard through `handle_text` / `handle_keycode` (the app forwards Window key
events to the keypad of the screen on top). Every key press fires `on_key`
(DTMF sends each tone at once); editing keys change `value`.
"""

from __future__ import annotations

from types import MappingProxyType

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.widgets.kiosk_button import RoundedButton

DIGITS = frozenset("0123456789")
SYMBOLS = frozenset("*#")
BACKSPACE = "back"
CLEAR = "clear"

# Kivy keycodes of keys that are not plain characters (numeric keypad included).
_KEYCODE_TEXT = MappingProxyType(
    {
        **{256 + n: str(n) for n in range(10)},  # numpad 0-9
        268: "*",  # numpad multiply
        8: BACKSPACE,
        127: CLEAR,  # delete
    }
)
ENTER_KEYCODES = frozenset({13, 271})  # return, numpad enter


class KeypadKey(RoundedButton):
    """One key of the keypad; `key` is the character or BACKSPACE/CLEAR."""

    key = StringProperty("")
    keypad = ObjectProperty(None, allownone=True)

    def on_press(self) -> None:
        if self.keypad is not None:
            self.keypad.press(self.key)


class Keypad(BoxLayout):
    """A 3x4 digit keypad plus a row with Clear and backspace.

    Events: `on_key(key)` for every accepted key, `on_submit(value)` on Enter.
    """

    value = StringProperty("")
    masked = BooleanProperty(False)
    max_length = NumericProperty(20)
    locked = BooleanProperty(False)
    symbols = BooleanProperty(True)
    editable = BooleanProperty(True)  # False for DTMF: keys only send tones
    rows = NumericProperty(5)

    __events__ = ("on_key", "on_submit")

    def press(self, key: str) -> bool:
        """Apply one key as if it were tapped; returns whether it was accepted."""
        if self.locked or self.disabled:
            return False
        if key in SYMBOLS and not self.symbols:
            return False
        if key in DIGITS or key in SYMBOLS:
            if self.editable and len(self.value) >= self.max_length:
                return False
            if self.editable:
                self.value += key
        elif key == BACKSPACE:
            self.value = self.value[:-1]
        elif key == CLEAR:
            self.value = ""
        else:
            return False
        self.dispatch("on_key", key)
        return True

    def submit(self) -> bool:
        """Fire `on_submit` with the current value (Enter on a keyboard)."""
        if self.locked or self.disabled:
            return False
        self.dispatch("on_submit", self.value)
        return True

    def handle_keyboard(self, keycode: int, text: str | None) -> bool:
        """A Window key event; True when the keypad used it."""
        if keycode in ENTER_KEYCODES:
            return self.submit()
        if text and len(text) == 1 and (text in DIGITS or text in SYMBOLS):
            return self.press(text)
        mapped = _KEYCODE_TEXT.get(keycode)
        return self.press(mapped) if mapped else False

    def key_button(self, key: str) -> KeypadKey:
        """The on-screen key for `key` ("0"-"9", "*", "#", BACKSPACE, CLEAR)."""
        for row in self.children:
            for button in row.children:
                if isinstance(button, KeypadKey) and button.key == key:
                    return button
        raise KeyError("no such key on this keypad")

    def clear(self) -> None:
        """Empty the entry (a wrong PIN, a screen shown afresh)."""
        self.value = ""

    def on_key(self, key: str) -> None:
        """Default handler: nothing (screens bind to it)."""

    def on_submit(self, value: str) -> None:
        """Default handler: nothing (screens bind to it)."""
