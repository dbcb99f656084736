"""The settings and home-screen hints of `pexip-kiosk demo` (the four demo rooms, and the
simulator's demo calendar as the room's calendar).

The demo speaks the room's language too: its room name, meeting labels and hints
are marked for the catalogue and translated here. `KIOSK_LANGUAGE`, `KIOSK_CLOCK_24H`,
`KIOSK_THEME`, `KIOSK_TEXT_SCALE` and `KIOSK_HEALTH_ADDR` are taken from the environment.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from kiosk.config import CalendarSettings, Meeting, Settings, load_settings
from kiosk.i18n import N_, Translator, choose_room_locale

DEMO_ROOM_NAME = N_("Demo room")
# The demo calendar's Teams meeting reaches the open room through the Virtual Reception.
DEMO_TEAMS_GATEWAY = "reception"
DEMO_CALENDAR_PATH = "/_sim/calendar.ics"
DEMO_CALENDAR_REFRESH_SECONDS = 60.0
DEMO_ADMIN_PIN = "2580"
DEMO_MEETINGS = (
    Meeting(N_("Open meeting"), "meet.open"),
    Meeting(N_("Team meeting"), "meet.team"),
    Meeting(N_("Board meeting"), "meet.board"),
    Meeting(N_("Virtual Reception"), "reception"),
)
# What a newcomer needs to try every kind of room (the simulator's assets/demo_rooms.toml).
DEMO_HINTS = (
    N_("Team meeting: host PIN 1234, or join as a guest"),
    N_("Board meeting: host PIN 2468, guest PIN 1357"),
    N_("Virtual Reception: meeting numbers 1001–1004"),
    N_("Admin: hold the room name 5\u00a0s, PIN {pin}"),  # no break inside "5 s"
)
# The settings the demo takes from the environment: the room's look, and where its
# health endpoint listens (a fleet dashboard can scrape the demo; tests use port 0).
LOOK_VARIABLES = ("KIOSK_LANGUAGE", "KIOSK_CLOCK_24H", "KIOSK_THEME", "KIOSK_TEXT_SCALE",
                  "KIOSK_HEALTH_ADDR")


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



def demo_translator(settings: Settings, environ: Mapping[str, str] | None = None) -> Translator:
    """The catalogue of the demo room's language."""
    room = choose_room_locale(settings.language, os.environ if environ is None else environ)
    return Translator(room.language)


def demo_hints(translator: Translator) -> tuple[str, ...]:
    """The home screen's demo hints in the room's language."""
    return tuple(translator.gettext(hint).format(pin=DEMO_ADMIN_PIN) for hint in DEMO_HINTS)


def demo_settings(
    url: str,
    ca_bundle: Path | None,
    fullscreen: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Settings for the app against the demo simulator; test devices where there are none.

    Raises ConfigError for a bad look setting in `environ` (default: the process's).
    """
    environ = os.environ if environ is None else environ
    look = load_settings(env_file=None, require_node=False,
                         environ={k: environ[k] for k in LOOK_VARIABLES if k in environ})
    sound = "default" if has_sound_devices() else "test"
    calendar = CalendarSettings(url=url + DEMO_CALENDAR_PATH, ca_bundle=ca_bundle,
                                teams_gateway_alias=DEMO_TEAMS_GATEWAY,
                                refresh_seconds=DEMO_CALENDAR_REFRESH_SECONDS)
    settings = Settings(
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
        language=look.language,
        clock_24h=look.clock_24h,
        theme=look.theme,
        text_scale=look.text_scale,
        health_addr=look.health_addr,
        calendar=calendar,
        state_dir=demo_state_dir(),
    )
    _ = demo_translator(settings, environ).gettext
    return replace(settings, display_name=_(DEMO_ROOM_NAME),
                   meetings=tuple(Meeting(_(m.label), m.alias) for m in DEMO_MEETINGS))
