"""Typed failures become an ErrorCode and one short sentence for a room screen."""

from __future__ import annotations

import pytest

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
from kiosk.session.error_messages import clean_reason, describe_error, disconnect_message
from kiosk.session_state import ErrorCode


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (ConferenceNotFound("Neither conference nor gateway found"),
         ErrorCode.CONFERENCE_NOT_FOUND, "This meeting could not be found. Check the meeting ID."),
        (NodeUnreachable("connection refused"), ErrorCode.NODE_UNREACHABLE,
         "Can't reach the meeting service. Check the network."),
        (NodeUnreachable("certificate verify failed", tls=True), ErrorCode.TLS_FAILURE,
         "The meeting service's certificate is not trusted."),
        (ServiceUnavailable("HTTP 503", retry_after=3), ErrorCode.SERVICE_UNAVAILABLE,
         "The meeting service is busy. Try again in a moment."),
        (SsoRequired(), ErrorCode.SSO_REQUIRED,
         "This meeting needs a personal sign-in, which this room can't do."),
        (ProtocolError("request_token reply: 'token' is missing"), ErrorCode.PROTOCOL_ERROR,
         "The meeting service sent an unexpected reply."),
        (NotAPexipNode("HTTP 404 without JSON"), ErrorCode.NOT_A_PEXIP_NODE,
         "The configured address is not a Pexip meeting service."),
        (Refused("conference is locked", 403), ErrorCode.REFUSED, "Conference is locked."),
        (InvalidToken("Invalid token"), ErrorCode.TOKEN_EXPIRED,
         "The connection to the meeting was lost."),
        (MediaFailed("ICE failed"), ErrorCode.MEDIA_FAILED, "The video call could not be set up."),
        (PinRequired(guest_allowed=False), ErrorCode.PIN_NOT_GIVEN, "This meeting needs a PIN."),
        (InvalidPin(), ErrorCode.INVALID_PIN, "The PIN was not accepted."),
        (ExtensionRequired("standard"), ErrorCode.REFUSED,
         "This address needs a meeting number."),
        (KeyError("token"), ErrorCode.INTERNAL, "Something went wrong. Please try again."),
    ],
)
def test_errors_map_to_a_code_and_a_room_sentence(
    error: Exception, code: ErrorCode, message: str
) -> None:
    described = describe_error(error)
    assert described.code is code
    assert described.message == message
    assert "HTTP" not in described.message and "Traceback" not in described.message


def test_a_refusal_reason_is_cleaned_and_bounded() -> None:
    message = describe_error(Refused("bad\x00\nthing   happened " + "x" * 500, 403)).message
    assert message.startswith("Bad thing happened x")
    assert len(message) <= 160 and "\n" not in message and "\x00" not in message
    assert describe_error(Refused("  ", 415)).message == (
        "The meeting service did not let this room join.")


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("Conference terminated by a host", "The meeting has ended."),
        ("Conference host ended the conference with a DTMF command", "The meeting has ended."),
        ("Timer expired awaiting token refresh", "The connection to the meeting timed out."),
        ("Timeout waiting for conference host to join or permit access to locked conference",
         "No host let this room in, so the meeting ended."),
        ("Disconnected by an administrator", "This room was removed from the meeting."),
        ("the fire alarm went off", "The fire alarm went off."),
        ("", "This room was removed from the meeting."),
    ],
)
def test_disconnect_reasons_in_words(reason: str, message: str) -> None:
    assert disconnect_message(reason) == message


def test_clean_reason_keeps_sentence_punctuation() -> None:
    assert clean_reason("Done!", "x") == "Done!"
    assert clean_reason("\t", "fallback") == "fallback"
