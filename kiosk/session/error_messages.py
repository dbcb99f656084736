"""Typed failures turned into an ErrorCode and one short sentence for a room screen.

No status codes, no exception text of libraries, no tracebacks: people in a
meeting room read these. A reason the node sent (a refusal, a disconnect) is
shown, cleaned up, because it is written for people already (`verbatim`: the same
in every language). Each sentence is a `Message` (kiosk/i18n/message.py): English
here and in the CLI, translated by the UI.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from kiosk.i18n.message import Message, MessageText, fixed_message, verbatim
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

NOT_FOUND = fixed_message("conference_not_found",
                          "This meeting could not be found. Check the meeting ID.")
UNREACHABLE = fixed_message("node_unreachable",
                            "Can't reach the meeting service. Check the network.")
UNTRUSTED = fixed_message("tls_untrusted", "The meeting service's certificate is not trusted.")
NOT_PEXIP = fixed_message("not_a_pexip_node",
                          "The configured address is not a Pexip meeting service.")
BUSY = fixed_message("service_busy", "The meeting service is busy. Try again in a moment.")
SSO = fixed_message("sso_required",
                    "This meeting needs a personal sign-in, which this room can't do.")
PROTOCOL = fixed_message("protocol_error", "The meeting service sent an unexpected reply.")
REFUSED = fixed_message("join_refused", "The meeting service did not let this room join.")
CONNECTION_LOST = fixed_message("connection_lost", "The connection to the meeting was lost.")
TOKEN_TIMED_OUT = fixed_message("connection_timed_out", "The connection to the meeting timed out.")
MEDIA = fixed_message("media_failed", "The video call could not be set up.")
MEDIA_LOST = fixed_message("media_lost", "The video call was lost and could not be restored.")
PIN_NEEDED = fixed_message("pin_needed", "This meeting needs a PIN.")
WRONG_PIN = fixed_message("pin_not_accepted", "The PIN was not accepted.")
EXTENSION_NEEDED = fixed_message("extension_needed", "This address needs a meeting number.")
INTERNAL = fixed_message("internal_error", "Something went wrong. Please try again.")
MEETING_ENDED = fixed_message("meeting_ended", "The meeting has ended.")
REMOVED = fixed_message("removed_from_meeting", "This room was removed from the meeting.")
HOST_TIMEOUT = fixed_message("host_timeout", "No host let this room in, so the meeting ended.")


# The node stopped answering (issue 8): kept whole, each with its code.
NODE_NOT_ANSWERING = fixed_message(
    "node_not_answering", "The meeting service is not answering — reconnecting…")
NODE_BUSY_RETRYING = MessageText(
    "node_busy_retrying", "The meeting service is busy — trying again in {seconds} s…")
NODE_LOST = fixed_message(
    "node_lost", "The meeting service stopped answering, so the room left the meeting.")
MEETING_ENDED_NO_REASON = fixed_message("meeting_ended_no_reason", "The meeting ended.")

MAX_REASON_LENGTH = 160


def _visible(ch: str) -> str:
    # Control and format characters (C0, C1, bidi overrides, zero-width ...) become spaces.
    return " " if unicodedata.category(ch).startswith("C") else ch


# Reasons real nodes send, in words for a room screen. Matched case-insensitively
# as substrings; anything else is shown as the node wrote it.
_KNOWN_REASONS: tuple[tuple[str, Message], ...] = (
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


def clean_reason(reason: str, fallback: Message) -> Message:
    """A server-written reason as one tidy sentence (no control characters, bounded)."""
    text = " ".join("".join(map(_visible, str(reason))).split())
    if not text:
        return fallback
    if len(text) > MAX_REASON_LENGTH:
        text = text[: MAX_REASON_LENGTH - 1].rstrip() + "…"
    text = text[0].upper() + text[1:]
    if text[-1] not in ".!?…":
        text += "."
    return verbatim("node_reason", text)


def disconnect_message(reason: Any) -> Message:
    """What to show when the node removed this room, from its `disconnect` reason (a reason
    that is not text at all, or none, reads "The meeting ended.")."""
    if not isinstance(reason, str):
        return MEETING_ENDED_NO_REASON
    lowered = reason.lower()
    for needle, message in _KNOWN_REASONS:
        if needle in lowered:
            return message
    return clean_reason(reason, REMOVED)


# Failures that always read the same, whatever their details.
_FIXED: tuple[tuple[type[BaseException], ErrorCode, Message], ...] = (
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
