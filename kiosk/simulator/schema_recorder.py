"""Records what the simulator sends (Client API replies and events), for schema checks.

Off unless a test turns it on (`recorder.enabled = True`). Each reply is kept
with the name Pexip's published schemas give its operation (`RequestToken`,
`DisconnectCall`, `MuteParticipant` ...: the `@pexip/infinity-api` validator of
a reply is `validate<operation><HTTP status>`), its status and its body. Injected
faults are never recorded (they are off-schema on purpose), nor is the control
API; a reply or event the simulator sends off-schema on purpose (the bare
Virtual Reception prompt of one test room, an event a test posts to
`/_sim/.../event` exactly as it wants it) is recorded with the reason, so a
check can tell a deliberate deviation from a mistake.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from kiosk.simulator.protocol_replies import ApiError

API_PREFIX = "/api/client/v2"
MAX_RECORDS = 20_000  # per kind; a test that sends more is not checked further

# The last path element of each route, as Pexip's schemas name the operation.
_CONFERENCE_OPERATIONS = {
    "request_token": "RequestToken",
    "refresh_token": "RefreshToken",
    "release_token": "ReleaseToken",
    "disconnect": "Disconnect",
    "start_conference": "StartConference",
    "lock": "Lock",
    "unlock": "Unlock",
    "muteguests": "Muteguests",
    "unmuteguests": "Unmuteguests",
    "message": "MessageConference",
    "transform_layout": "TransformLayout",
    "conference_status": "ConferenceStatus",
    "participants": "Participants",
}
_PARTICIPANT_OPERATIONS = {
    "calls": "CallsWebrtcParticipant",
    "dtmf": "DtmfParticipant",
    "mute": "MuteParticipant",
    "unmute": "UnmuteParticipant",
    "client_mute": "ClientMuteParticipant",
    "client_unmute": "ClientUnmuteParticipant",
    "video_muted": "VideoMuteParticipant",
    "video_unmuted": "VideoUnmuteParticipant",
    "disconnect": "DisconnectParticipant",
    "unlock": "UnlockParticipant",
    "buzz": "BuzzParticipant",
    "clearbuzz": "ClearbuzzParticipant",
}
_CALL_OPERATIONS = {
    "ack": "Ack",
    "update": "Update",
    "disconnect": "DisconnectCall",
    "new_candidate": "NewCandidate",
    "dtmf": "Dtmf",
}


def operation_of(path: str) -> str:
    """Pexip's operation name for a Client API path ("" for one it has none for)."""
    if not path.startswith(API_PREFIX):
        return ""
    parts = path[len(API_PREFIX):].strip("/").split("/")
    if parts == ["status"]:
        return "Status"
    if len(parts) < 3 or parts[0] != "conferences":
        return ""
    rest = parts[2:]  # after conferences/{alias}
    if len(rest) == 1:
        return _CONFERENCE_OPERATIONS.get(rest[0], "")
    if rest[0] != "participants":
        return ""
    if len(rest) == 3:
        return _PARTICIPANT_OPERATIONS.get(rest[2], "")
    if len(rest) == 5 and rest[2] == "calls":
        return _CALL_OPERATIONS.get(rest[4], "")
    return ""


@dataclass(frozen=True)
class RecordedReply:
    """One reply the simulator sent: operation, HTTP status, body text and JSON."""

    operation: str
    path: str
    status: int
    text: str
    body: Any
    off_schema: str = ""  # why it deviates on purpose ("" for none)


@dataclass(frozen=True)
class RecordedEvent:
    """One server-sent event as written to a stream: its name and data."""

    name: str
    data: Any
    off_schema: str = ""  # why it deviates on purpose ("" for none)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SchemaRecorder:
    """Keeps the replies and events of a simulator while `enabled`."""

    def __init__(self) -> None:
        self.enabled = False
        self.replies: list[RecordedReply] = []
        self.events: list[RecordedEvent] = []
        self.overflow = 0

    def clear(self) -> None:
        """Forget what was recorded."""
        self.replies.clear()
        self.events.clear()
        self.overflow = 0

    def event(self, name: str, data: Any, off_schema: str = "") -> None:
        """An event was written to a stream (`off_schema`: why it deviates on purpose)."""
        if not self.enabled:
            return
        if len(self.events) >= MAX_RECORDS:
            self.overflow += 1
            return
        self.events.append(RecordedEvent(name, data, off_schema))

    def reply(self, path: str, response: web.StreamResponse, off_schema: str = "") -> None:
        """A reply was sent to `path` (streamed replies are not recorded)."""
        if not self.enabled or not isinstance(response, web.Response):
            return
        if len(self.replies) >= MAX_RECORDS:
            self.overflow += 1
            return
        raw = response.body
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else (response.text or "")
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = None
        self.replies.append(RecordedReply(operation_of(path), path, response.status, text, body,
                                          off_schema))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the Client API's replies (innermost: injected faults never get here)."""
        if not request.path.startswith(API_PREFIX) and request.path != "/status":
            return await handler(request)
        try:
            response = await handler(request)
        except ApiError as error:
            response = error.response()
            self.reply(request.path, response, error.off_schema)
            return response
        self.reply(request.path, response)
        return response
