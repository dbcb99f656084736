"""How the kiosk app is launched, beyond the room's Settings (demo vs. production)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LaunchOptions:
    """Options the launcher or the demo passes to the app.

    `allow_exit`: the window's close button quits (a demo on a desktop); a real
    kiosk leaves this False so only the admin screen can end the app.
    `demo_hints`: lines shown on the home screen when `settings.show_demo_pins`.
    """

    allow_exit: bool = False
    demo_hints: tuple[str, ...] = ()
    window_size: tuple[int, int] | None = None
