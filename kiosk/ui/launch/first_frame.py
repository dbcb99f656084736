"""Doing something once the window has shown its first frame (Home is on screen).

Kivy's `on_start` comes before the first frame is drawn; work scheduled from it
(background imports, servers) would compete with drawing Home. `Window.on_flip`
fires after a frame reached the screen.
"""

from __future__ import annotations

from collections.abc import Callable


def after_first_frame(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` once, right after the next frame is shown; returns a cancel function."""
    from kivy.core.window import Window

    def flipped(*_args: object) -> None:
        Window.unbind(on_flip=flipped)
        callback()

    Window.bind(on_flip=flipped)
    return lambda: Window.unbind(on_flip=flipped)
