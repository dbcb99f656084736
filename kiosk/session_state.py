"""What the session publishes to its observers (UI, CLI, health endpoint).

Plain data, no behaviour: the UI renders a `SessionSnapshot`, the CLI prints it
as JSON, the health endpoint reports it. Nothing here holds a PIN or a token.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from kiosk.meeting_view_state import MeetingView as StageView
from kiosk.session.room_view import MeetingView


class SessionState(enum.Enum):
    """The states of the join state machine."""

    IDLE = "IDLE"
    CONNECTING = "CONNECTING"
    PIN_REQUIRED = "PIN_REQUIRED"
    PIN_OPTIONAL = "PIN_OPTIONAL"
    EXTENSION_REQUIRED = "EXTENSION_REQUIRED"
    WAITING_FOR_HOST = "WAITING_FOR_HOST"
    CONNECTED = "CONNECTED"
    RECONNECTING = "RECONNECTING"
    DISCONNECTING = "DISCONNECTING"
    ERROR = "ERROR"


class ErrorCode(enum.Enum):
    """Why a session ended in ERROR (or why an action was refused)."""

    CONFERENCE_NOT_FOUND = "conference_not_found"
    NODE_UNREACHABLE = "node_unreachable"
    TLS_FAILURE = "tls_failure"
    NOT_A_PEXIP_NODE = "not_a_pexip_node"
    SERVICE_UNAVAILABLE = "service_unavailable"
    SSO_REQUIRED = "sso_required"
    REFUSED = "refused"
    DISCONNECTED_BY_NODE = "disconnected_by_node"
    TOKEN_EXPIRED = "token_expired"
    MEDIA_FAILED = "media_failed"
    PROTOCOL_ERROR = "protocol_error"
    PIN_NOT_GIVEN = "pin_not_given"
    INVALID_PIN = "invalid_pin"
    NODE_LOST = "node_lost"  # the node stopped answering and did not come back in time
    INTERNAL = "internal"


class DeviceState(enum.Enum):
    """Whether a media device (camera, microphone, speaker) is in use."""

    UNKNOWN = "unknown"
    ACTIVE = "active"
    UNAVAILABLE = "unavailable"
    DISABLED = "disabled"  # configured as `none`


@dataclass(frozen=True)
class DeviceStatus:
    """A media device's state and, when unavailable, the reason in words."""

    state: DeviceState = DeviceState.UNKNOWN
    reason: str = ""


@dataclass(frozen=True)
class SessionError:
    """A reason code and a short human sentence suitable for a room screen."""

    code: ErrorCode
    message: str


@dataclass(frozen=True)
class SessionSnapshot:
    """Everything an observer needs to draw the session at one moment."""

    state: SessionState = SessionState.IDLE
    alias: str = ""
    conference_name: str = ""
    role: str = ""  # "HOST", "GUEST" or "" before a token
    participant_count: int = 0
    locked: bool = False
    started: bool = True
    error: SessionError | None = None
    # A short message shown on the current screen without leaving it
    # ("Incorrect PIN — try again", "Too many wrong PINs. Try again in 30 s").
    notice: str = ""
    pin_attempts: int = 0
    pin_cooldown_remaining: float = 0.0
    extension_kind: str = ""
    microphone_muted: bool = False
    camera_muted: bool = False
    camera: DeviceStatus = field(default_factory=DeviceStatus)
    microphone: DeviceStatus = field(default_factory=DeviceStatus)
    speaker: DeviceStatus = field(default_factory=DeviceStatus)
    connected_since: float | None = None  # time.monotonic() when CONNECTED was first reached
    token_refreshes: int = 0
    # time.monotonic() since when the node has not been answering (RECONNECTING), else None.
    node_lost_since: float | None = None
    rejoins: int = 0  # how often the room got back into its meeting after losing the node
    # The meeting's host-control state and events (lock, hold, splash, breakout, results).
    meeting: MeetingView = field(default_factory=MeetingView)
    transfer_target: str = ""  # set while the node moves the room to this meeting (refer)
    view: StageView = field(default_factory=StageView)  # presentation, layout, captions

    @property
    def in_call(self) -> bool:
        """True while the room is in the meeting or held waiting for the host."""
        return self.state in (SessionState.CONNECTED, SessionState.WAITING_FOR_HOST,
                              SessionState.RECONNECTING)
