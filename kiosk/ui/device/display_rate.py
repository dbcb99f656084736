"""How often Kivy ticks: calm on the menus, faster while video is on screen.

A display tick without a change costs almost nothing (Kivy redraws only when a
canvas changed), but ticks are not free either: 30 a second on the menus keeps
Home idle under 2 % of a core and touches answered within a frame. With video,
the ticks must outpace the 30 fps source or two frames land in one tick and one
is never shown (a 30 Hz tick showed ~26 of 30 frames).
"""

from __future__ import annotations

from kivy.clock import Clock

MENU_FPS = 30
QUIET_FPS = 15  # a still screen nobody touches (Home, idle clock): a touch is seen in <70 ms
VIDEO_FPS = 60
QUIET_AFTER_SECONDS = 3.0


def set_display_rate(fps: int) -> None:
    """Change Kivy's frame cap at run time (Config's maxfps only applies at start)."""
    # Kivy has no public setter; the clock reads this attribute on every tick.
    Clock._max_fps = float(fps)
