"""Typed failures turned into an ErrorCode and one short sentence for a room screen.

No status codes, no exception text of libraries, no tracebacks: people in a
meeting room read these. A reason the node sent (a refusal, a disconnect) is
shown, cleaned up, because it is written for people already.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from kiosk.infinity.errors import (
    ConferenceNotFound,
    ExtensionRequired,
    InvalidPin,
    InvalidToken,
    NodeUnreachable,
    NotAPexipNode,
    PinRequired,
    ProtocolError,
    Refused,
    ServiceUnavailable,
    SsoRequired,
)
from kiosk.media.interface import MediaFailed
from kiosk.session_state import ErrorCode, SessionError

NOT_FOUND = "This meeting could not be found. Check the meeting ID."
UNREACHABLE = "Can't reach the meeting service. Check the network."
UNTRUSTED = "The meeting service's certificate is not trusted."
NOT_PEXIP = "The configured address is not a Pexip meeting service."
BUSY = "The meeting service is busy. Try again in a moment."
SSO = "This meeting needs a personal sign-in, which this room can't do."
PROTOCOL = "The meeting service sent an unexpected reply."
REFUSED = "The meeting service did not let this room join."
CONNECTION_LOST = "The connection to the meeting was lost."
TOKEN_TIMED_OUT = "The connection to the meeting timed out."
MEDIA = "The video call could not be set up."
MEDIA_LOST = "The video call was lost and could not be restored."
PIN_NEEDED = "This meeting needs a PIN."
WRONG_PIN = "The PIN was not accepted."
EXTENSION_NEEDED = "This address needs a meeting number."
INTERNAL = "Something went wrong. Please try again."
MEETING_ENDED = "The meeting has ended."
REMOVED = "This room was removed from the meeting."
HOST_TIMEOUT = "No host let this room in, so the meeting ended."



@dataclass(frozen=True)
class Sentence:
    """A whole room-visible sentence with a stable code (the key for its translations).

    `{name}` fields are filled in by `format`; the sentence is never built from pieces.
    """

    code: str
    text: str

    def format(self, **values: Any) -> str:
        """The sentence with its fields filled in."""
        return self.text.format(**values)


NODE_NOT_ANSWERING = Sentence(
    "node_not_answering", "The meeting service is not answering — reconnecting…")
NODE_BUSY_RETRYING = Sentence(
    "node_busy_retrying", "The meeting service is busy — trying again in {seconds} s…")
NODE_LOST = Sentence(
    "node_lost", "The meeting service stopped answering, so the room left the meeting.")
MEETING_ENDED_NO_REASON = Sentence("meeting_ended_no_reason", "The meeting ended.")
SENTENCES = (NODE_NOT_ANSWERING, NODE_BUSY_RETRYING, NODE_LOST, MEETING_ENDED_NO_REASON)

MAX_REASON_LENGTH = 160


def _visible(ch: str) -> str:
    # Control and format characters (C0, C1, bidi overrides, zero-width ...) become spaces.
    return " " if unicodedata.category(ch).startswith("C") else ch

# Reasons real nodes send, in words for a room screen. Matched case-insensitively
# as substrings; anything else is shown as the node wrote it.
_KNOWN_REASONS: tuple[tuple[str, str], ...] = (
    ("timer expired awaiting token refresh", TOKEN_TIMED_OUT),
    ("timeout waiting for conference host", HOST_TIMEOUT),
    ("ended the conference", MEETING_ENDED),
    ("ended the meeting", MEETING_ENDED),
    ("conference ended", MEETING_ENDED),
    ("meeting ended", MEETING_ENDED),
    ("meeting has ended", MEETING_ENDED),
    ("conference terminated", MEETING_ENDED),
    ("disconnected by an administrator", REMOVED),
    ("disconnected by another participant", REMOVED),
)


def clean_reason(reason: str, fallback: str) -> str:
    """A server-written reason as one tidy sentence (no control characters, bounded)."""
    text = " ".join("".join(map(_visible, str(reason))).split())
    if not text:
        return fallback
    if len(text) > MAX_REASON_LENGTH:
        text = text[: MAX_REASON_LENGTH - 1].rstrip() + "…"
    text = text[0].upper() + text[1:]
    if text[-1] not in ".!?…":
        text += "."
    return text


def disconnect_message(reason: Any) -> str:
    """What to show when the node removed this room, from its `disconnect` reason (a reason
    that is not text at all, or none, reads "The meeting ended.")."""
    if not isinstance(reason, str):
        return MEETING_ENDED_NO_REASON.text
    lowered = reason.lower()
    for needle, message in _KNOWN_REASONS:
        if needle in lowered:
            return message
    return clean_reason(reason, REMOVED)


# Failures that always read the same, whatever their details.
_FIXED: tuple[tuple[type[BaseException], ErrorCode, str], ...] = (
    (ConferenceNotFound, ErrorCode.CONFERENCE_NOT_FOUND, NOT_FOUND),
    (NotAPexipNode, ErrorCode.NOT_A_PEXIP_NODE, NOT_PEXIP),
    (ServiceUnavailable, ErrorCode.SERVICE_UNAVAILABLE, BUSY),
    (SsoRequired, ErrorCode.SSO_REQUIRED, SSO),
    (ProtocolError, ErrorCode.PROTOCOL_ERROR, PROTOCOL),
    (InvalidToken, ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST),
    (MediaFailed, ErrorCode.MEDIA_FAILED, MEDIA),
    (PinRequired, ErrorCode.PIN_NOT_GIVEN, PIN_NEEDED),
    (InvalidPin, ErrorCode.INVALID_PIN, WRONG_PIN),
    (ExtensionRequired, ErrorCode.REFUSED, EXTENSION_NEEDED),
)


def describe_error(exc: BaseException) -> SessionError:
    """Map a failure of the client, the media or the session to code and sentence."""
    if isinstance(exc, NodeUnreachable):
        if exc.tls:
            return SessionError(ErrorCode.TLS_FAILURE, UNTRUSTED)
        return SessionError(ErrorCode.NODE_UNREACHABLE, UNREACHABLE)
    if isinstance(exc, Refused):
        return SessionError(ErrorCode.REFUSED, clean_reason(exc.reason, REFUSED))
    for kind, code, message in _FIXED:
        if isinstance(exc, kind):
            return SessionError(code, message)
    return SessionError(ErrorCode.INTERNAL, INTERNAL)
