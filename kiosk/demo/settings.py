"""The settings and home-screen hints of `pexip-kiosk demo` (the four demo rooms, and the
simulator's demo calendar as the room's calendar)."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from kiosk.config import CalendarSettings, Meeting, Settings

DEMO_ROOM_NAME = "Demo room"
# The demo calendar's Teams meeting reaches the open room through the Virtual Reception.
DEMO_TEAMS_GATEWAY = "reception"
DEMO_CALENDAR_PATH = "/_sim/calendar.ics"
DEMO_CALENDAR_REFRESH_SECONDS = 60.0
DEMO_ADMIN_PIN = "2580"
DEMO_MEETINGS = (
    Meeting("Open meeting", "meet.open"),
    Meeting("Team meeting", "meet.team"),
    Meeting("Board meeting", "meet.board"),
    Meeting("Virtual Reception", "reception"),
)
# What a newcomer needs to try every kind of room (the simulator's assets/demo_rooms.toml).
DEMO_HINTS = (
    "Team meeting: host PIN 1234, or join as a guest",
    "Board meeting: host PIN 2468, guest PIN 1357",
    "Virtual Reception: meeting numbers 1001–1004",
    f"Admin: hold the room name 5\u00a0s, PIN {DEMO_ADMIN_PIN}",  # no break inside "5 s"
)


def has_camera() -> bool:
    """True when a V4L2 camera node exists."""
    return bool(glob.glob("/dev/video*"))


def has_sound_devices() -> bool:
    """True when ALSA capture and playback devices exist."""
    return bool(glob.glob("/dev/snd/pcmC*D*c")) and bool(glob.glob("/dev/snd/pcmC*D*p"))


def demo_state_dir() -> Path:
    """The demo's own state (admin lock-out) in the user's cache, never the device's."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pexip-kiosk" / "demo-state"


def demo_settings(url: str, ca_bundle: Path | None, fullscreen: bool = False) -> Settings:
    """Settings for the app against the demo simulator; test devices where there are none."""
    sound = "default" if has_sound_devices() else "test"
    calendar = CalendarSettings(url=url + DEMO_CALENDAR_PATH, ca_bundle=ca_bundle,
                                teams_gateway_alias=DEMO_TEAMS_GATEWAY,
                                refresh_seconds=DEMO_CALENDAR_REFRESH_SECONDS)
    return Settings(
        node=url,
        ca_bundle=ca_bundle,
        display_name=DEMO_ROOM_NAME,
        camera="auto" if has_camera() else "test",
        microphone=sound,
        speaker=sound,
        meetings=DEMO_MEETINGS,
        show_demo_pins=True,
        admin_pin=DEMO_ADMIN_PIN,
        fullscreen=fullscreen,
        calendar=calendar,
        state_dir=demo_state_dir(),
    )
