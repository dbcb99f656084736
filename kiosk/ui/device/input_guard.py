"""The window's touches and keys before any widget sees them: what a kiosk lets through.

- The first touch on the idle screen only wakes it; it never presses what is under it.
- Escape (and the Android back key) never leaves a real kiosk.
- Function keys and Ctrl/Alt/Meta combinations reach nothing: Kivy's debug and
  settings keys are locked down (`key_lockdown`).
- Every touch and key counts as activity (idle timer, display rate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent

from kiosk.ui.device.key_lockdown import is_developer_key

ESCAPE_KEYCODE = 27  # Escape, and the Android back key


@dataclass(frozen=True)
class InputHooks:
    """What the guard asks of the app."""

    is_idle: Callable[[], bool]
    wake: Callable[[], None]
    activity: Callable[[], None]  # a touch or a key: restart timers, full display rate
    screen_key: Callable[[int, str | None], bool]  # the key for the screen on top
    may_close: Callable[[], bool]  # the window may close (admin exit, or a demo)


class InputGuard:
    """Binds to the Window's touch, keyboard and close events; `unbind()` undoes it."""

    def __init__(self, hooks: InputHooks, allow_exit: bool) -> None:
        self._hooks = hooks
        self._allow_exit = allow_exit
        self._swallowed_touches: set[int] = set()

    def bind(self) -> None:
        """Start guarding the window."""
        Window.bind(**self._bindings())

    def unbind(self) -> None:
        """Stop guarding the window."""
        Window.unbind(**self._bindings())

    def _bindings(self) -> dict[str, Callable[..., bool]]:
        return {
            # on_key_down comes first and, when a handler takes the key, on_keyboard (where
            # Kivy's modules and the settings key listen) is never dispatched at all.
            "on_key_down": self._on_key_down,
            "on_keyboard": self._on_keyboard,
            "on_request_close": self._on_request_close,
            "on_touch_down": self._on_touch_down,
            "on_touch_move": self._on_touch_other,
            "on_touch_up": self._on_touch_up,
        }

    def _on_touch_down(self, _window: object, touch: MotionEvent) -> bool:
        self._hooks.activity()
        if self._hooks.is_idle():
            self._swallowed_touches.add(touch.uid)
            self._hooks.wake()
            return True
        return False

    def _on_touch_other(self, _window: object, touch: MotionEvent) -> bool:
        return touch.uid in self._swallowed_touches

    def _on_touch_up(self, _window: object, touch: MotionEvent) -> bool:
        if touch.uid in self._swallowed_touches:
            self._swallowed_touches.discard(touch.uid)
            return True
        return False

    def _on_key_down(
        self, _window: object, keycode: int, _scancode: int, _text: str | None,
        modifiers: list[str] | None,
    ) -> bool:
        if keycode != ESCAPE_KEYCODE and is_developer_key(keycode, modifiers):
            self._hooks.activity()
            return True  # swallowed: no on_keyboard handler, bound before or after us, sees it
        return False

    def _on_keyboard(
        self, _window: object, keycode: int, _scancode: int, text: str | None,
        modifiers: list[str] | None,
    ) -> bool:
        if keycode == ESCAPE_KEYCODE:
            return not self._allow_exit
        self._hooks.activity()
        if is_developer_key(keycode, modifiers):
            return True  # swallowed before Kivy's modules see it
        if self._hooks.is_idle():
            self._hooks.wake()
            return True
        return self._hooks.screen_key(keycode, text)

    def _on_request_close(self, *_args: object, **_kwargs: object) -> bool:
        # True keeps the window open. Only the admin screen (or a demo) may end the app.
        return not self._hooks.may_close()
