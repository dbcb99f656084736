"""InfinityClient against a scripted HTTPS node: every reply shape, headers and bodies sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scripted_node import Reply, ScriptedNode

from kiosk.infinity.client import GUEST_PIN, ClientTimeouts, InfinityClient, NodeStatus
from kiosk.infinity.errors import (
    ConferenceNotFound,
    ExtensionRequired,
    InfinityError,
    InvalidPin,
    InvalidToken,
    NotAPexipNode,
    PinRequired,
    Refused,
    ServiceUnavailable,
    SsoRequired,
)
from kiosk.infinity.models import Role, Token

ALIAS = "meet.team"
CONF = f"/conferences/{ALIAS}"
PARTICIPANT = f"{CONF}/participants/p-1"
CALL = f"{PARTICIPANT}/calls/c-1"
PIN = "4321"
TOKEN = "TOKEN-ONE-abcdef"
TOKEN_REPLY: dict[str, Any] = {
    "token": TOKEN,
    "expires": "120",
    "participant_uuid": "p-1",
    "display_name": "Board room",
    "role": "HOST",
    "service_type": "conference",
    "current_service_type": "conference",
    "conference_name": "Team meeting",
    "version": {"version_id": "36", "pseudo_version": "36.0"},
    "stun": [],
    "turn": [],
}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedNode]:
    with ScriptedNode(tmp_path_factory.mktemp("replies")) as scripted:
        yield scripted


@pytest.fixture
def client(node: ScriptedNode) -> Iterator[InfinityClient]:
    node.reset()
    timeouts = ClientTimeouts(connect=2.0, read=5.0, calls_read=5.0)
    with InfinityClient(node.url, verify=str(node.ca_bundle), timeouts=timeouts) as infinity:
        yield infinity


def a_token(node: ScriptedNode, client: InfinityClient) -> Token:
    node.script(f"{CONF}/request_token", Reply.result(TOKEN_REPLY))
    return client.request_token(ALIAS, "Board room")


# ---- request_token ------------------------------------------------------------------------


def test_request_token_returns_the_token_and_sends_no_pin_on_first_try(
    node: ScriptedNode, client: InfinityClient
) -> None:
    token = a_token(node, client)

    assert token.token == TOKEN
    assert token.expires == 120.0
    assert token.participant_uuid == "p-1"
    assert token.role is Role.HOST
    assert token.conference_name == "Team meeting"
    (seen,) = node.seen(f"{CONF}/request_token")
    assert seen.method == "POST"
    assert "pin" not in seen.headers
    assert "token" not in seen.headers
    assert seen.headers["content-type"] == "application/json"
    assert seen.json() == {"display_name": "Board room"}


@pytest.mark.parametrize(
    ("typed", "header"),
    [("", GUEST_PIN), ("   ", GUEST_PIN), (GUEST_PIN, GUEST_PIN), (" 1234 \n", "1234")],
)
def test_pin_header_is_stripped_and_empty_means_guest(
    node: ScriptedNode, client: InfinityClient, typed: str, header: str
) -> None:
    node.script(f"{CONF}/request_token", Reply.result(TOKEN_REPLY))

    client.request_token(ALIAS, "Board room", pin=typed)

    (seen,) = node.seen(f"{CONF}/request_token")
    assert seen.headers["pin"] == header


def test_conference_extension_goes_in_the_body(node: ScriptedNode, client: InfinityClient) -> None:
    node.script("/conferences/reception/request_token", Reply.result(TOKEN_REPLY))

    client.request_token("reception", "Board room", pin=PIN, conference_extension=" 1002 ")

    (seen,) = node.seen("/conferences/reception/request_token")
    assert seen.json() == {"display_name": "Board room", "conference_extension": "1002"}
    assert seen.headers["pin"] == PIN


def test_alias_is_url_encoded(node: ScriptedNode, client: InfinityClient) -> None:
    node.script("/conferences/alice%40example.com/request_token", Reply.result(TOKEN_REPLY))

    client.request_token("alice@example.com", "Board room")

    assert len(node.seen("/conferences/alice%40example.com/request_token")) == 1


PIN_BOTH = {"pin": "required", "guest_pin": "required"}
PIN_HOST_ONLY = {"pin": "required", "guest_pin": "none"}
VERSION = {"version": {"version_id": "36", "pseudo_version": "36.0"}}


@pytest.mark.parametrize(
    ("result", "pin", "expected", "attributes"),
    [
        (PIN_BOTH, None, PinRequired, {"guest_allowed": False}),
        ({**PIN_BOTH, **VERSION}, None, PinRequired, {"guest_allowed": False}),
        (PIN_HOST_ONLY, None, PinRequired, {"guest_allowed": True}),
        ({**PIN_HOST_ONLY, **VERSION}, None, PinRequired, {"guest_allowed": True}),
        ("Invalid PIN", PIN, InvalidPin, {}),
        (PIN_BOTH, PIN, InvalidPin, {}),
        ({**PIN_HOST_ONLY, **VERSION}, PIN, InvalidPin, {}),
        # A guest (`pin: none`) where everyone needs a PIN: ask for the PIN, no guest option.
        (PIN_BOTH, "", PinRequired, {"guest_allowed": False}),
        ({"conference_extension": "standard"}, None, ExtensionRequired, {"kind": "standard"}),
        (
            {"conference_extension": "required", "conference_extension_type": "standard"},
            None, ExtensionRequired, {"kind": "standard"},
        ),
        (
            {"conference_extension": "required", "conference_extension_type": "mssip"},
            None, ExtensionRequired, {"kind": "mssip"},
        ),
        ({"idp": [{"name": "Corp", "uuid": "idp-1"}]}, None, SsoRequired, {}),
        (
            {"redirect_url": "https://idp.example/sso", "redirect_idp": {"uuid": "idp-1"}},
            None, SsoRequired, {},
        ),
        ("Conference is locked", None, Refused,
         {"reason": "Conference is locked", "status": 403}),
    ],
)
@pytest.mark.parametrize("status_field", ["failed", "success"])
def test_every_row_of_the_403_table(
    node: ScriptedNode,
    client: InfinityClient,
    result: Any,
    pin: str | None,
    expected: type[InfinityError],
    attributes: dict[str, Any],
    status_field: str,
) -> None:
    # Real nodes send "success" on some 403s: only `result` counts.
    node.script(f"{CONF}/request_token", Reply.result(result, 403, status_field=status_field))

    with pytest.raises(expected) as caught:
        client.request_token(ALIAS, "Board room", pin=pin)

    for name, value in attributes.items():
        assert getattr(caught.value, name) == value
    assert PIN not in str(caught.value)


def test_a_refusal_reason_never_echoes_the_pin(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(f"{CONF}/request_token", Reply.result(f"PIN {PIN} is not allowed here", 403))

    with pytest.raises(Refused) as caught:
        client.request_token(ALIAS, "Board room", pin=PIN)

    assert PIN not in str(caught.value)
    assert "not allowed here" in caught.value.reason


def test_404_with_json_is_conference_not_found(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(
        f"{CONF}/request_token", Reply.result("Neither conference nor gateway found", 404)
    )

    with pytest.raises(ConferenceNotFound, match="Neither conference nor gateway found"):
        client.request_token(ALIAS, "Board room")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=404, raw_body=b"<html><body>Not Found</body></html>"),
        Reply(status=404, json_body={"error": "not found"}),  # JSON, but not a Pexip reply
        Reply(status=404),
    ],
)
def test_404_without_a_pexip_reply_is_not_a_pexip_node(
    node: ScriptedNode, client: InfinityClient, reply: Reply
) -> None:
    node.script(f"{CONF}/request_token", reply)

    with pytest.raises(NotAPexipNode):
        client.request_token(ALIAS, "Board room")


@pytest.mark.parametrize("status", [502, 503, 504, 529])
def test_temporary_failures_are_service_unavailable_with_retry_after(
    node: ScriptedNode, client: InfinityClient, status: int
) -> None:
    node.script(
        f"{CONF}/request_token",
        Reply.result("Node is in maintenance mode", status, headers={"Retry-After": "30"}),
    )

    with pytest.raises(ServiceUnavailable) as caught:
        client.request_token(ALIAS, "Board room")

    assert caught.value.reason == "Node is in maintenance mode"
    assert caught.value.retry_after == 30.0


def test_503_without_json_or_retry_after(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(f"{CONF}/request_token", Reply(status=503, raw_body=b"<h1>busy</h1>"))

    with pytest.raises(ServiceUnavailable) as caught:
        client.request_token(ALIAS, "Board room")

    assert caught.value.retry_after is None
    assert "503" in caught.value.reason


@pytest.mark.parametrize(
    "reply",
    [Reply.result("Unsupported media type", 415), Reply(status=415, raw_body=b"nope")],
)
def test_415_is_refused(node: ScriptedNode, client: InfinityClient, reply: Reply) -> None:
    node.script(f"{CONF}/request_token", reply)

    with pytest.raises(Refused) as caught:
        client.request_token(ALIAS, "Board room")

    assert caught.value.status == 415


def test_a_redirect_is_not_followed(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(
        f"{CONF}/request_token",
        Reply(status=302, headers={"Location": f"{node.url}/elsewhere"}),
    )

    with pytest.raises(NotAPexipNode, match="redirects"):
        client.request_token(ALIAS, "Board room", pin=PIN)

    assert not [s for s in node.seen() if s.path == "/elsewhere"]


# ---- refresh / release --------------------------------------------------------------------


def test_refresh_replaces_the_token_for_later_calls(
    node: ScriptedNode, client: InfinityClient
) -> None:
    token = a_token(node, client)
    refresh_reply = {"token": "TOKEN-TWO", "expires": "60", "role": "GUEST"}
    node.script(f"{CONF}/refresh_token", Reply.result(refresh_reply))
    node.script(f"{CONF}/release_token", Reply.result(True))

    refreshed = client.refresh_token(ALIAS, token)
    client.release_token(ALIAS, refreshed.token, reason="Meeting over")

    assert refreshed.token == "TOKEN-TWO"
    assert refreshed.expires == 60.0
    assert refreshed.role is Role.GUEST
    assert refreshed.participant_uuid == token.participant_uuid
    (refresh,) = node.seen(f"{CONF}/refresh_token")
    assert refresh.headers["token"] == TOKEN
    assert refresh.body == b""
    (release,) = node.seen(f"{CONF}/release_token")
    assert release.headers["token"] == "TOKEN-TWO"
    assert release.json() == {"reason": "Meeting over"}


def test_release_without_reason_sends_no_body(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(f"{CONF}/release_token", Reply.result(True))

    client.release_token(ALIAS, TOKEN)

    (release,) = node.seen(f"{CONF}/release_token")
    assert release.body == b""
    assert release.headers["token"] == TOKEN


# ---- invalid token on any call ------------------------------------------------------------


def _calls(client: InfinityClient, token: Token) -> dict[str, Any]:
    return {
        f"{CONF}/refresh_token": lambda: client.refresh_token(ALIAS, token),
        f"{CONF}/release_token": lambda: client.release_token(ALIAS, TOKEN),
        f"{PARTICIPANT}/calls": lambda: client.calls(ALIAS, "p-1", TOKEN, "v=0"),
        f"{CALL}/ack": lambda: client.ack(ALIAS, "p-1", "c-1", TOKEN),
        f"{CALL}/update": lambda: client.update(ALIAS, "p-1", "c-1", TOKEN, "v=0"),
        f"{CALL}/disconnect": lambda: client.disconnect_call(ALIAS, "p-1", "c-1", TOKEN),
        f"{CALL}/dtmf": lambda: client.dtmf(ALIAS, "p-1", TOKEN, "1#", call_uuid="c-1"),
        f"{PARTICIPANT}/dtmf": lambda: client.dtmf(ALIAS, "p-1", TOKEN, "1#"),
        f"{PARTICIPANT}/mute": lambda: client.mute(ALIAS, "p-1", TOKEN),
        f"{PARTICIPANT}/unmute": lambda: client.unmute(ALIAS, "p-1", TOKEN),
        f"{PARTICIPANT}/video_muted": lambda: client.video_muted(ALIAS, "p-1", TOKEN),
        f"{PARTICIPANT}/video_unmuted": lambda: client.video_unmuted(ALIAS, "p-1", TOKEN),
        f"{PARTICIPANT}/disconnect": lambda: client.disconnect_participant(ALIAS, "p-1", TOKEN),
    }


def test_invalid_token_on_any_call(node: ScriptedNode, client: InfinityClient) -> None:
    token = Token.parse(TOKEN_REPLY)
    for path, call in _calls(client, token).items():
        node.script(path, Reply.result("Invalid token", 403))
        with pytest.raises(InvalidToken) as caught:
            call()
        assert TOKEN not in str(caught.value), path


def test_every_control_call_hits_its_path_with_the_token(
    node: ScriptedNode, client: InfinityClient
) -> None:
    token = Token.parse(TOKEN_REPLY)
    node.script(f"{CONF}/refresh_token", Reply.result({"token": "T2", "expires": "120"}))
    node.script(f"{PARTICIPANT}/calls", Reply.result({"call_uuid": "c-1", "sdp": "v=0 answer"}))
    node.script(f"{CALL}/update", Reply.result("v=0 answer"))
    calls = _calls(client, token)
    for path in calls:
        if path not in (f"{CONF}/refresh_token", f"{PARTICIPANT}/calls", f"{CALL}/update"):
            node.script(path, Reply.result(True))

    for path, call in calls.items():
        call()
        (seen,) = node.seen(path)
        assert seen.method == "POST"
        assert seen.headers["token"] == TOKEN, path
        assert "pin" not in seen.headers


# ---- media call ---------------------------------------------------------------------------


def test_calls_sends_the_webrtc_offer_and_returns_the_answer(
    node: ScriptedNode, client: InfinityClient
) -> None:
    node.script(
        f"{PARTICIPANT}/calls",
        Reply.result({"call_uuid": "c-1", "sdp": "v=0 answer", "turn": []}),
    )

    answer = client.calls(ALIAS, "p-1", TOKEN, "v=0 offer")

    assert (answer.call_uuid, answer.sdp) == ("c-1", "v=0 answer")
    (seen,) = node.seen(f"{PARTICIPANT}/calls")
    assert seen.json() == {"call_type": "WEBRTC", "sdp": "v=0 offer"}
    assert seen.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "result", ["v=0 answer", {"call_uuid": "c-1", "sdp": "v=0 answer"}, {"sdp": "v=0 answer"}]
)
def test_update_accepts_both_answer_shapes(
    node: ScriptedNode, client: InfinityClient, result: Any
) -> None:
    node.script(f"{CALL}/update", Reply.result(result))

    answer = client.update(ALIAS, "p-1", "c-1", TOKEN, "v=0 new offer")

    assert (answer.call_uuid, answer.sdp) == ("c-1", "v=0 answer")
    (seen,) = node.seen(f"{CALL}/update")
    assert seen.json() == {"sdp": "v=0 new offer"}


def test_ack_with_and_without_sdp(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(f"{CALL}/ack", Reply.result(True))

    client.ack(ALIAS, "p-1", "c-1", TOKEN)
    client.ack(ALIAS, "p-1", "c-1", TOKEN, sdp="v=0 answer to the node's offer")

    plain, with_sdp = node.seen(f"{CALL}/ack")
    assert plain.body == b""
    assert with_sdp.json() == {"sdp": "v=0 answer to the node's offer"}
    assert with_sdp.headers["content-type"] == "application/json"


# ---- controls -----------------------------------------------------------------------------


def test_dtmf_sends_the_digits(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(f"{CALL}/dtmf", Reply.result(True))

    client.dtmf(ALIAS, "p-1", TOKEN, "0123456789*#abcd", call_uuid="c-1")

    (seen,) = node.seen(f"{CALL}/dtmf")
    assert seen.json() == {"digits": "0123456789*#ABCD"}


@pytest.mark.parametrize("digits", ["", "12E", "1 2", "+1", "١٢"])
def test_dtmf_refuses_other_characters_without_sending(
    node: ScriptedNode, client: InfinityClient, digits: str
) -> None:
    with pytest.raises(ValueError, match="0-9"):
        client.dtmf(ALIAS, "p-1", TOKEN, digits, call_uuid="c-1")

    assert node.seen() == []


def test_a_false_result_is_a_refusal(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(f"{PARTICIPANT}/mute", Reply.result(False))

    with pytest.raises(Refused, match="mute"):
        client.mute(ALIAS, "p-1", TOKEN)


# ---- status -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (Reply.result("OK"), NodeStatus.UP),
        (Reply.result("Maintenance", 503), NodeStatus.MAINTENANCE),
        (Reply(status=404, raw_body=b"Not Found"), NotAPexipNode),
        (Reply(status=200, raw_body=b"<html>It works!</html>"), NotAPexipNode),
        (Reply(status=502, raw_body=b"Bad gateway"), ServiceUnavailable),
    ],
)
def test_status(node: ScriptedNode, client: InfinityClient, reply: Reply, outcome: Any) -> None:
    node.script("/status", reply, method="GET")

    if isinstance(outcome, NodeStatus):
        assert client.status() is outcome
    else:
        with pytest.raises(outcome):
            client.status()


def test_client_rejects_a_node_address_that_is_not_http(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="http"):
        InfinityClient("ftp://node.example.com", verify=str(tmp_path / "ca.pem"))
