"""Key presses as a USB keyboard makes them: SDL key events pushed into SDL's own queue.

Kivy's SDL2 window polls that queue every frame, translates the SDL keycode and
modifier bits exactly as for a real keyboard, and dispatches `on_key_down`,
`on_keyboard` and `on_key_up`: every handler (the app's, Kivy's modules') sees
what it would see on a device. Needs the Window to exist (the kiosk app running).
"""

from __future__ import annotations

import asyncio
import ctypes
import glob
import os
import time
from dataclasses import dataclass
from functools import cache

import kivy

SDL_KEYDOWN = 0x300
SDL_KEYUP = 0x301
KMOD_LSHIFT = 0x0001
KMOD_LCTRL = 0x0040
KMOD_LALT = 0x0100
KMOD_LGUI = 0x0400
SCANCODE_MASK = 1 << 30


class _Keysym(ctypes.Structure):
    _fields_ = [("scancode", ctypes.c_int32), ("sym", ctypes.c_int32),
                ("mod", ctypes.c_uint16), ("unused", ctypes.c_uint32)]


class _KeyboardEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint32), ("timestamp", ctypes.c_uint32),
                ("windowID", ctypes.c_uint32), ("state", ctypes.c_uint8),
                ("repeat", ctypes.c_uint8), ("padding2", ctypes.c_uint8),
                ("padding3", ctypes.c_uint8), ("keysym", _Keysym)]


class _Event(ctypes.Union):
    _fields_ = [("key", _KeyboardEvent), ("padding", ctypes.c_uint8 * 56)]


@dataclass(frozen=True)
class Key:
    """One physical key: SDL scancode and keycode, with the modifier bits held."""

    name: str
    scancode: int
    sym: int
    mod: int = 0

    def with_mod(self, mod: int, name: str) -> Key:
        return Key(f"{name}+{self.name}", self.scancode, self.sym, self.mod | mod)


def function_key(number: int) -> Key:
    """F1..F12 (scancodes 58..69) and F13..F15 (104..106)."""
    scancode = 57 + number if number <= 12 else 91 + number
    return Key(f"F{number}", scancode, scancode | SCANCODE_MASK)


def letter(char: str) -> Key:
    return Key(char, ord(char) - ord("a") + 4, ord(char))


def digit(char: str) -> Key:
    return Key(char, 30 + (int(char) - 1) % 10, ord(char))


ESCAPE = Key("Escape", 41, 27)
MENU = Key("Menu", 118, 118 | SCANCODE_MASK)
APPLICATION = Key("Application", 101, 101 | SCANCODE_MASK)
PRINT_SCREEN = Key("PrintScreen", 70, 70 | SCANCODE_MASK)


@cache
def _sdl() -> ctypes.CDLL:
    """The SDL2 library Kivy's window runs on (the one bundled with the Kivy wheel)."""
    base = os.path.dirname(os.path.dirname(kivy.__file__))
    found = glob.glob(os.path.join(base, "Kivy.libs", "libSDL2-2*.so*"))
    library = ctypes.CDLL(found[0] if found else "libSDL2-2.0.so.0")
    library.SDL_PushEvent.argtypes = [ctypes.POINTER(_Event)]
    return library


def push(key: Key, down: bool) -> None:
    """Put one key event into SDL's queue (the window reads it at its next frame)."""
    event = _Event()
    event.key.type = SDL_KEYDOWN if down else SDL_KEYUP
    event.key.state = 1 if down else 0
    event.key.keysym.scancode = key.scancode
    event.key.keysym.sym = key.sym
    event.key.keysym.mod = key.mod
    if _sdl().SDL_PushEvent(ctypes.byref(event)) != 1:
        raise RuntimeError("SDL refused the key event")


async def press(key: Key, timeout: float = 10.0) -> None:
    """Press and release `key`, and wait until the window has dispatched the release."""
    from kivy.core.window import Window

    released: list[int] = []

    def on_key_up(_window: object, *_args: object) -> None:
        released.append(1)

    Window.bind(on_key_up=on_key_up)
    try:
        push(key, down=True)
        push(key, down=False)
        deadline = time.monotonic() + timeout
        while not released:
            if time.monotonic() > deadline:
                raise AssertionError(f"the window never read the {key.name} key")
            await asyncio.sleep(0.01)
    finally:
        Window.unbind(on_key_up=on_key_up)
