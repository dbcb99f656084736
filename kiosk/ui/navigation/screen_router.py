"""Which screen to show for a session snapshot and the UI's own local mode.

Pure logic, no Kivy: the session decides the call screens; the UI decides what
happens while the session is idle (home, typing a meeting ID, idle, admin).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType

from kiosk.session_state import ErrorCode, SessionSnapshot, SessionState
from kiosk.ui.navigation.screen_names import ScreenName


class LocalMode(enum.Enum):
    """What the room is doing on the kiosk while no meeting is in progress."""

    HOME = "home"
    MEETING_ID = "meeting_id"
    IDLE = "idle"
    ADMIN_UNLOCK = "admin_unlock"
    ADMIN = "admin"


@dataclass(frozen=True)
class UiContext:
    """The UI-side inputs of routing: the local mode, and whether the shown error was closed."""

    mode: LocalMode = LocalMode.HOME
    error_dismissed: bool = False
    unexpected_error: bool = False  # an action failed in a way the session did not report


_LOCAL_SCREENS = MappingProxyType({
    LocalMode.HOME: ScreenName.HOME,
    LocalMode.MEETING_ID: ScreenName.MEETING_ID,
    LocalMode.IDLE: ScreenName.IDLE,
    LocalMode.ADMIN_UNLOCK: ScreenName.ADMIN_UNLOCK,
    LocalMode.ADMIN: ScreenName.ADMIN,
})

_SESSION_SCREENS = MappingProxyType({
    SessionState.CONNECTING: ScreenName.CONNECTING,
    SessionState.PIN_REQUIRED: ScreenName.PIN,
    SessionState.PIN_OPTIONAL: ScreenName.PIN,
    SessionState.EXTENSION_REQUIRED: ScreenName.MEETING_ID,
    SessionState.WAITING_FOR_HOST: ScreenName.WAITING,
    SessionState.CONNECTED: ScreenName.IN_CALL,
    SessionState.RECONNECTING: ScreenName.IN_CALL,
    SessionState.DISCONNECTING: ScreenName.CONNECTING,
})

# Errors where joining the same meeting again may well work.
RETRYABLE_ERRORS = frozenset(
    {
        ErrorCode.NODE_UNREACHABLE,
        ErrorCode.SERVICE_UNAVAILABLE,
        ErrorCode.DISCONNECTED_BY_NODE,
        ErrorCode.TOKEN_EXPIRED,
        ErrorCode.MEDIA_FAILED,
        ErrorCode.PROTOCOL_ERROR,
        ErrorCode.PIN_NOT_GIVEN,
        ErrorCode.INVALID_PIN,
        ErrorCode.INTERNAL,
    }
)


def screen_for(snapshot: SessionSnapshot, ui: UiContext) -> ScreenName:
    """The screen that shows `snapshot` given the UI's local context."""
    if ui.unexpected_error and not ui.error_dismissed:
        return ScreenName.ERROR
    if snapshot.state is SessionState.ERROR:
        return _LOCAL_SCREENS[ui.mode] if ui.error_dismissed else ScreenName.ERROR
    session_screen = _SESSION_SCREENS.get(snapshot.state)
    if session_screen is not None:
        return session_screen
    return _LOCAL_SCREENS[ui.mode]


def can_retry(snapshot: SessionSnapshot) -> bool:
    """Whether the error screen offers "Try again" (the same meeting once more)."""
    error = snapshot.error
    return bool(snapshot.alias) and (error is None or error.code in RETRYABLE_ERRORS)
