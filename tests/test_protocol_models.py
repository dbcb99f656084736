"""Protocol shapes: parsing real reply shapes, and arbitrary JSON never escaping as KeyError."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.infinity.errors import ProtocolError
from kiosk.infinity.models import CallAnswer, ConferenceState, Participant, Role, Token

TOKEN_REPLY = {
    "token": "SECRET-TOKEN",
    "expires": "120",
    "participant_uuid": "p-1",
    "display_name": "Board room",
    "role": "GUEST",
    "service_type": "conference",
    "current_service_type": "waiting_room",
    "conference_name": "Team meeting",
    "version": {"version_id": "36", "pseudo_version": "36.0"},
    "stun": [{"url": "stun:stun.example.com:3478"}],
    "turn": [
        {"urls": ["turn:turn.example.com:3478"], "username": "u", "credential": "TURN-SECRET"}
    ],
    "use_relay_candidates_only": False,
    "call_type": "video",
    "bandwidth_in": 1280,
    "bandwidth_out": 1280,
    "client_stats_update_interval": 5000.5,
    "chat_enabled": True,
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
token_like = st.fixed_dictionaries(
    {},
    optional={k: json_values for k in TOKEN_REPLY},
)


def test_token_reply_parses_with_string_expires_and_keeps_unknown_fields() -> None:
    token = Token.parse(TOKEN_REPLY)
    assert token.expires == 120.0
    assert token.role is Role.GUEST
    assert token.current_service_type == "waiting_room"
    assert token.version == "36"
    assert [s.urls for s in token.ice_servers] == [
        ("stun:stun.example.com:3478",),
        ("turn:turn.example.com:3478",),
    ]
    assert token.extra["chat_enabled"] is True
    assert "SECRET-TOKEN" not in repr(token)
    assert "TURN-SECRET" not in repr(token.turn[0])


def test_refresh_replaces_token_and_expiry() -> None:
    token = Token.parse(TOKEN_REPLY)
    newer = token.refreshed({"token": "NEWER", "expires": "60", "role": "HOST"})
    assert (newer.token, newer.expires, newer.role) == ("NEWER", 60.0, Role.HOST)
    assert newer.participant_uuid == token.participant_uuid


def test_participant_yes_no_strings_become_booleans() -> None:
    p = Participant.parse(
        {"uuid": "a", "role": "chair", "is_muted": "YES", "is_presenting": "NO",
         "is_video_muted": True, "service_type": "waiting_room", "start_time": 12.5}
    )
    assert p.role is Role.HOST and p.is_muted and not p.is_presenting and p.is_video_muted
    assert p.is_waiting and p.start_time == 12.5
    for odd in (10**400, float("inf"), "12.5", True):
        assert Participant.parse({"uuid": "a", "start_time": odd}).start_time is None


def test_conference_update_keeps_previous_values() -> None:
    first = ConferenceState.parse({"locked": True, "started": False})
    second = ConferenceState.parse({"started": True}, previous=first)
    assert second.locked and second.started


def test_call_answer_accepts_both_update_shapes() -> None:
    assert CallAnswer.parse("v=0\r\n", call_uuid="c1").sdp == "v=0\r\n"
    assert CallAnswer.parse({"call_uuid": "c2", "sdp": "v=0\r\n"}).call_uuid == "c2"


@settings(max_examples=200, deadline=None)
@given(result=json_values | token_like)
@example(result={**TOKEN_REPLY, "bandwidth_in": "inf"})
@example(result={**TOKEN_REPLY, "expires": "nan"})
@example(result={**TOKEN_REPLY, "expires": 10**400})  # an integer no float can hold
def test_arbitrary_token_replies_never_escape_as_other_errors(result: Any) -> None:
    with contextlib.suppress(ProtocolError):
        Token.parse(result)


@settings(max_examples=200, deadline=None)
@given(result=json_values)
@example(result={"uuid": "p-1", "start_time": 10**400})
def test_arbitrary_roster_and_call_payloads(result: Any) -> None:
    for parse in (Participant.parse, ConferenceState.parse, CallAnswer.parse):
        with contextlib.suppress(ProtocolError):
            parse(result)
