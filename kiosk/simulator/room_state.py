"""What is going on in one simulated room: its participants, their calls, DTMF and flags.

Only data and its JSON shapes live here; `node.py` changes it and sends the events.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.simulator.rooms import RoomConfig

if TYPE_CHECKING:
    from kiosk.simulator.far_end import FarEndPeer

CHAIR = "chair"
GUEST = "guest"
IN_CONFERENCE = "conference"
WAITING_ROOM = "waiting_room"


def _yes_no(value: bool) -> str:
    return "YES" if value else "NO"


class CallState(enum.Enum):
    """A media call's life: answered by `calls`, active after `ack`, then disconnected."""

    ANSWERED = "answered"
    ACTIVE = "active"
    DISCONNECTED = "disconnected"


@dataclass(eq=False)
class CallRecord:
    """One WebRTC call of a participant and the far end that answered it."""

    call_uuid: str
    far_end: FarEndPeer
    present: str | None = None
    breakout: str | None = None  # the breakout room the call was made in (None: the room)
    state: CallState = CallState.ANSWERED
    updates: int = 0
    server_offers: int = 0  # new_offer / update_sdp events sent for this call
    server_offers_answered: int = 0  # of which the kiosk answered with `ack {sdp}`
    disconnect_reason: str | None = None

    def snapshot(self) -> dict[str, Any]:
        """The call's state and media counters for `GET /_sim/rooms/{alias}`."""
        return {
            "call_uuid": self.call_uuid,
            "state": self.state.value,
            "present": self.present,
            "breakout": self.breakout,
            "updates": self.updates,
            "server_offers": self.server_offers,
            "server_offers_answered": self.server_offers_answered,
            "disconnect_reason": self.disconnect_reason,
            "media": self.far_end.stats(),
        }


@dataclass(eq=False)
class ParticipantRecord:
    """A participant in a room: a kiosk with a token, or the simulated host."""

    uuid: str
    display_name: str
    role: str
    service_type: str
    entry_alias: str
    simulated: bool = False
    start_time: float = field(default_factory=time.time)
    expires_at: float = 0.0
    waiting_since: float = field(default_factory=time.monotonic)
    token_refreshes: int = 0
    is_muted: bool = False
    is_video_muted: bool = False
    is_client_muted: bool = False
    buzz_time: float = 0.0  # the hand was raised then (0: not raised)
    is_presenting: bool = False
    calls: dict[str, CallRecord] = field(default_factory=dict)

    @property
    def is_host(self) -> bool:
        """A chair (host) in the room."""
        return self.role == CHAIR

    @property
    def is_waiting(self) -> bool:
        """Held in the waiting room until a host is present."""
        return self.service_type == WAITING_ROOM

    @property
    def has_media(self) -> bool:
        """A call of this participant is up (answered or active)."""
        return any(c.state is not CallState.DISCONNECTED for c in self.calls.values())

    def to_event(self, room: RoomConfig) -> dict[str, Any]:
        """The participant object of participant_create / participant_update."""
        return {
            "uuid": self.uuid,
            "display_name": self.display_name,
            "overlay_text": self.display_name,
            "role": self.role,
            "service_type": self.service_type,
            "is_muted": _yes_no(self.is_muted),
            "is_video_muted": self.is_video_muted,
            "is_client_muted": self.is_client_muted,
            "is_presenting": _yes_no(self.is_presenting),
            "is_audio_only_call": "NO",
            "is_video_call": "YES",
            "is_external": False,
            "external_node_uuid": "",
            "is_streaming_conference": False,
            "is_video_silent": False,
            "supports_direct_chat": False,
            "can_receive_personal_mix": False,
            "receive_from_video_mix": {"mix_name": "main", "timestamp": self.start_time},
            "spotlight": 0,
            "buzz_time": self.buzz_time,
            "start_time": self.start_time,
            "protocol": "sip" if self.simulated else ("webrtc" if self.has_media else "api"),
            "uri": f"sip:{self.display_name.replace(' ', '.').lower()}@sim.invalid"
            if self.simulated
            else "",
            "call_direction": "in",
            "local_alias": room.alias,
            "encryption": "On",
            "has_media": self.has_media or self.simulated,
            "disconnect_supported": "YES",
            "mute_supported": "YES",
            "transfer_supported": "YES",
            "fecc_supported": "NO",
            "presentation_supported": "YES",
            "rx_presentation_policy": "ALLOW",
            "vendor": "Pexip kiosk simulator" if self.simulated else "",
        }

    def snapshot(self, room: RoomConfig, event_streams: int) -> dict[str, Any]:
        """The participant for `GET /_sim/rooms/{alias}`: roster object plus simulator facts."""
        return {
            **self.to_event(room),
            "simulated": self.simulated,
            "entry_alias": self.entry_alias,
            "token_refreshes": self.token_refreshes,
            "event_streams": event_streams,
            "calls": [call.snapshot() for call in self.calls.values()],
        }


@dataclass(eq=False)
class RoomState:
    """One room's live state."""

    config: RoomConfig
    participants: dict[str, ParticipantRecord] = field(default_factory=dict)
    dtmf: list[dict[str, Any]] = field(default_factory=list)
    departed: list[dict[str, Any]] = field(default_factory=list)
    locked: bool = False
    guests_muted: bool = False
    layout: str = "ac"  # the layout hosts chose (transform_layout)
    # Breakout rooms (kiosk.simulator.breakouts) and requests for help from them.
    breakouts: dict[str, Any] = field(default_factory=dict)
    help_requests: list[dict[str, Any]] = field(default_factory=list)
    lobby_scheduled: bool = False  # the rooms file's lobby guests are on their way

    @property
    def alias(self) -> str:
        """The room's alias."""
        return self.config.alias

    @property
    def host_present(self) -> bool:
        """A host (a real one or the simulated one) is in the conference."""
        return any(p.is_host for p in self.participants.values())

    @property
    def real_participants(self) -> list[ParticipantRecord]:
        """Participants that have a token (and so may have event streams)."""
        return [p for p in self.participants.values() if not p.simulated]

    def conference_event(self) -> dict[str, Any]:
        """The data of conference_update."""
        return {
            "locked": self.locked,
            "started": self.host_present,
            "guests_muted": self.guests_muted,
            "all_muted": False,
            "presentation_allowed": True,
            "guests_can_present": True,
            "guests_can_unmute": True,
            "direct_media": False,
            "live_captions_available": True,  # the simulator plays caption scripts
            "breakout_rooms": True,
        }
