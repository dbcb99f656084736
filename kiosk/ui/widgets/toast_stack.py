"""Short notices over the call (a message, "2 guests are waiting", an action's result).

At most MAX_TOASTS are shown at once (the oldest goes first), each for a few
seconds; a toast with an action (open the panel) can be tapped.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.app import App
from kivy.clock import Clock, ClockEvent
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

MAX_TOASTS = 3
TOAST_SECONDS = 5.0


class Toast(ButtonBehavior, BoxLayout):
    """One notice: an icon and a sentence on a rounded background."""

    icon = StringProperty("")
    text = StringProperty("")
    key = StringProperty("")  # toasts with the same key replace each other
    # Set from the running app's theme by ToastStack.push (no fixed colour here).
    bg = ColorProperty((0, 0, 0, 0))
    fg = ColorProperty((0, 0, 0, 0))
    tappable = BooleanProperty(False)

    def __init__(self, on_tap: Callable[[], None] | None = None, **kwargs: object) -> None:
        self._on_tap = on_tap
        self._expiry: ClockEvent | None = None
        super().__init__(**kwargs)
        self.tappable = on_tap is not None

    def on_release(self) -> None:
        if self._on_tap is not None:
            self._on_tap()


class ToastStack(BoxLayout):
    """A column of toasts; `push` adds one, never more than MAX_TOASTS on screen."""

    def push(self, text: str, icon: str = "", key: str = "", warning: bool = False,
             seconds: float = TOAST_SECONDS, on_tap: Callable[[], None] | None = None) -> Toast:
        """Show `text` for `seconds` (a toast with the same `key` is replaced)."""
        if key:
            for old in [t for t in self.toasts if t.key == key]:
                self._drop(old)
        palette = App.get_running_app().theme.palette  # the room's theme, light or dark
        toast = Toast(on_tap=on_tap, text=text, icon=icon, key=key,
                      bg=palette.warning if warning else palette.surface,
                      fg=palette.text_on_warning if warning else palette.text)
        while len(self.toasts) >= MAX_TOASTS:
            self._drop(self.toasts[0])
        self.add_widget(toast)  # index 0: the newest at the bottom, next to the control bar
        toast._expiry = Clock.schedule_once(lambda _dt: self._drop(toast), seconds)
        return toast

    @property
    def toasts(self) -> list[Toast]:
        """The toasts shown, oldest first."""
        return [w for w in reversed(self.children) if isinstance(w, Toast)]

    def dismiss(self, key: str) -> None:
        """Take away the toasts with `key`."""
        for toast in [t for t in self.toasts if t.key == key]:
            self._drop(toast)

    def clear(self) -> None:
        """Take every toast away."""
        for toast in self.toasts:
            self._drop(toast)

    def _drop(self, toast: Toast) -> None:
        if toast._expiry is not None:
            toast._expiry.cancel()
            toast._expiry = None
        if toast.parent is self:
            self.remove_widget(toast)
