"""The names of the kiosk's screens (one Kivy Screen each)."""

from __future__ import annotations

import enum


class ScreenName(enum.Enum):
    """Every screen the kiosk can show."""

    HOME = "home"
    MEETING_ID = "meeting_id"
    PIN = "pin"
    CONNECTING = "connecting"
    WAITING = "waiting"
    IN_CALL = "in_call"
    ERROR = "error"
    IDLE = "idle"
    ADMIN_UNLOCK = "admin_unlock"
    ADMIN = "admin"
