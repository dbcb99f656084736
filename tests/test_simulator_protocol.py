"""The simulator speaks the Client REST API v2: joining, PIN rules, tokens, controls.

Plain `requests` over real loopback HTTPS against the `simulator` fixture.
"""

from __future__ import annotations

import time

import pytest
from simulator_test_client import NodeApi

from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.rooms import parse_rooms
from kiosk.simulator.token_registry import TokenRegistry

pytestmark = pytest.mark.timeout(60)


def _result(response) -> object:
    return response.json()["result"]


def _prompt(guest_pin: str) -> dict[str, object]:
    """The PIN prompt of a node: which PINs are needed, and the node's version."""
    return {
        "pin": "required",
        "guest_pin": guest_pin,
        "version": {"version_id": "35", "pseudo_version": "77353.0.0"},
    }


# ---------------------------------------------------------------- status, 404


def test_status_says_up(sim_api: NodeApi) -> None:
    response = sim_api.http.get(sim_api.base + "/status", verify=sim_api.verify, timeout=5)
    assert response.status_code == 200
    assert response.json()["result"]


def test_unknown_alias_is_404_with_pexip_reason(sim_api: NodeApi) -> None:
    response = sim_api.request_token("meet.nobody")
    assert response.status_code == 404
    assert _result(response) == "Neither conference nor gateway found"


def test_open_room_gives_host_token_with_every_documented_field(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.open", "Kiosk One")
    assert isinstance(result["token"], str) and result["token"]
    assert result["expires"] == "120"  # a STRING of seconds
    assert result["role"] == "HOST"
    assert result["display_name"] == "Kiosk One"
    assert result["service_type"] == "conference"
    assert result["current_service_type"] == "conference"
    assert result["conference_name"] == "Open meeting"
    assert result["stun"] == [] and result["turn"] == []
    assert set(result["version"]) == {"version_id", "pseudo_version"}
    assert result["call_type"] == "video"
    assert isinstance(result["bandwidth_in"], int) and isinstance(result["bandwidth_out"], int)
    assert len(result["participant_uuid"]) == 36


def test_alias_match_ignores_case_and_accepts_url_encoding(sim_api: NodeApi) -> None:
    result = sim_api.join("MEET.Open")
    assert result["conference_name"] == "Open meeting"


# ------------------------------------------------------------------ PIN rules


def test_optional_pin_room_prompts_with_guest_option(sim_api: NodeApi) -> None:
    response = sim_api.request_token("meet.team")
    assert response.status_code == 403
    assert _result(response) == _prompt("none")


def test_optional_pin_room_guest_with_pin_none_waits_for_host(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.team", pin="none")
    assert result["role"] == "GUEST"
    assert result["service_type"] == "conference"
    assert result["current_service_type"] == "waiting_room"


def test_empty_pin_means_none(sim_api: NodeApi) -> None:
    assert sim_api.join("meet.team", pin="")["role"] == "GUEST"


def test_optional_pin_room_host_pin_gives_host(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.team", pin="1234 ")
    assert result["role"] == "HOST"
    assert result["current_service_type"] == "conference"


def test_wrong_pin_is_invalid_pin(sim_api: NodeApi) -> None:
    response = sim_api.request_token("meet.team", pin="9999")
    assert response.status_code == 403
    assert _result(response) == "Invalid PIN"
    # A retry with the right PIN still works.
    assert sim_api.join("meet.team", pin="1234")["role"] == "HOST"


def test_required_pin_room_prompts_without_guest_option(sim_api: NodeApi) -> None:
    response = sim_api.request_token("meet.board")
    assert response.status_code == 403
    assert _result(response) == _prompt("required")


def test_required_pin_room_host_and_guest_pins(sim_api: NodeApi) -> None:
    guest = sim_api.join("meet.board", pin="1357")
    assert guest["role"] == "GUEST"
    assert guest["current_service_type"] == "waiting_room"
    host = sim_api.join("meet.board", pin="2468")
    assert host["role"] == "HOST"


def test_required_pin_room_refuses_pin_none_with_the_prompt_again(sim_api: NodeApi) -> None:
    response = sim_api.request_token("meet.board", pin="none")
    assert response.status_code == 403
    assert _result(response) == _prompt("required")
    assert _result(sim_api.request_token("meet.board", pin="0000")) == "Invalid PIN"


def test_lobby_guest_joins_straight_in_because_a_host_is_there(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.lobby", pin="none")
    assert result["role"] == "GUEST"
    assert result["current_service_type"] == "conference"


# ---------------------------------------------------------- virtual reception


def test_reception_asks_for_an_extension_in_the_schema_shape(sim_api: NodeApi) -> None:
    response = sim_api.request_token("reception")
    assert response.status_code == 403
    assert _result(response) == {
        "conference_extension": "required",
        "conference_extension_type": "standard",
    }


def test_a_test_reception_may_ask_with_the_bare_shape() -> None:
    rooms = parse_rooms(
        '[[room]]\nalias = "lobby"\nvirtual_reception = true\nextension_prompt = "bare"\n'
        '[[room]]\nalias = "meet.x"\nextension = "7"\n'
    )
    with SimulatorThread(rooms) as sim:
        sim_api = NodeApi(sim)
        response = sim_api.request_token("lobby")
        assert response.status_code == 403
        assert _result(response) == {"conference_extension": "standard"}
        assert sim_api.join("lobby", extension="7")["role"] == "HOST"
        sim_api.close()


def test_reception_extension_applies_the_target_rooms_pin_rules(sim_api: NodeApi) -> None:
    response = sim_api.request_token("reception", extension="1003")
    assert response.status_code == 403
    assert _result(response) == _prompt("required")
    assert _result(sim_api.request_token("reception", pin="1", extension="1003")) == "Invalid PIN"
    result = sim_api.join("reception", pin="2468", extension="1003")
    assert result["role"] == "HOST"
    assert result["conference_name"] == "Board meeting"
    roster = sim_api.sim.control.room("meet.board")["participants"]
    assert [p["uuid"] for p in roster] == [result["participant_uuid"]]
    assert roster[0]["entry_alias"] == "reception"


def test_reception_token_works_on_both_aliases_but_not_elsewhere(sim_api: NodeApi) -> None:
    result = sim_api.join("reception", extension="1001")
    token = result["token"]
    refreshed = sim_api.call("reception", "refresh_token", token)
    assert refreshed.status_code == 200
    token = _result(refreshed)["token"]
    assert sim_api.call("meet.open", "refresh_token", token).status_code == 200
    other = sim_api.call("meet.team", "refresh_token", token)
    assert other.status_code == 403
    assert _result(other) == "Invalid token"


def test_reception_unknown_extension_is_not_found(sim_api: NodeApi) -> None:
    response = sim_api.request_token("reception", extension="4242")
    assert response.status_code == 404
    assert _result(response) == "Neither conference nor gateway found"


# --------------------------------------------------------- malformed requests


def test_missing_display_name_is_refused_with_a_reason(sim_api: NodeApi) -> None:
    response = sim_api.post(sim_api.conference("meet.open") + "/request_token", {})
    assert response.status_code == 400
    assert response.json() == {"status": "failed", "result": "Missing or empty display_name"}


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_body_is_400_and_the_server_keeps_serving(sim_api: NodeApi, raw: bytes) -> None:
    response = sim_api.post(sim_api.conference("meet.open") + "/request_token", data=raw)
    assert response.status_code == 400
    assert response.json()["status"] == "failed"
    assert "Malformed" in response.json()["result"]
    assert sim_api.join("meet.open")["role"] == "HOST"


def test_unsupported_call_type_and_missing_sdp_are_400(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.open")
    path = f"participants/{result['participant_uuid']}/calls"
    bad_type = sim_api.call("meet.open", path, result["token"], {"call_type": "RTMP", "sdp": "v=0"})
    assert bad_type.status_code == 400
    no_sdp = sim_api.call("meet.open", path, result["token"], {"call_type": "WEBRTC"})
    assert no_sdp.status_code == 400
    garbage = sim_api.call("meet.open", path, result["token"], {"call_type": "WEBRTC", "sdp": "x"})
    assert garbage.status_code == 400
    assert sim_api.join("meet.open")["role"] == "HOST"


# --------------------------------------------------------------------- tokens


def test_refresh_gives_a_new_token_and_the_same_expiry(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.open")
    response = sim_api.call("meet.open", "refresh_token", result["token"])
    assert response.status_code == 200
    refreshed = _result(response)
    assert refreshed["token"] != result["token"]
    assert refreshed["expires"] == "120"
    assert refreshed["role"] == "HOST"
    assert sim_api.sim.control.room("meet.open")["participants"][0]["token_refreshes"] == 1


def test_unknown_token_is_invalid_token(sim_api: NodeApi) -> None:
    response = sim_api.call("meet.open", "refresh_token", "not-a-token")
    assert response.status_code == 403
    assert _result(response) == "Invalid token"
    missing = sim_api.call("meet.open", "refresh_token", token=None)  # type: ignore[arg-type]
    assert missing.status_code == 403


def test_release_token_removes_the_participant_and_ends_the_token(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.open", "Leaving kiosk")
    response = sim_api.call("meet.open", "release_token", result["token"], {"reason": "bye"})
    assert response.status_code == 200 and _result(response) is True
    room = sim_api.sim.control.room("meet.open")
    assert room["participants"] == []
    assert room["departed"][-1]["display_name"] == "Leaving kiosk"
    assert room["departed"][-1]["reason"] == "bye"
    # A repeated release is harmless; other calls are refused.
    assert sim_api.call("meet.open", "release_token", result["token"]).status_code == 200
    me = f"participants/{result['participant_uuid']}"
    mute = sim_api.call("meet.open", f"{me}/mute", result["token"])
    assert mute.status_code == 403 and _result(mute) == "Invalid token"


def test_old_token_ends_shortly_after_a_refresh(short_token_simulator: SimulatorThread) -> None:
    sim_api = NodeApi(short_token_simulator)
    result = sim_api.join("meet.open")
    old = result["token"]
    new = _result(sim_api.call("meet.open", "refresh_token", old))["token"]
    # The new token works; the old one is refused once its grace (0.5 s here) is over.
    assert sim_api.call("meet.open", "refresh_token", new).status_code == 200
    time.sleep(0.7)
    assert _result(sim_api.call("meet.open", "refresh_token", old)) == "Invalid token"
    sim_api.close()


def test_token_registry_keeps_old_and_departed_tokens_for_the_grace_only() -> None:
    now = [100.0]
    tokens = TokenRegistry(grace=1.0, clock=lambda: now[0])
    old = tokens.issue("p1")
    new = tokens.rotate("p1")
    assert tokens.participant_for(old) == tokens.participant_for(new) == "p1"
    now[0] += 0.9
    assert tokens.participant_for(old) == "p1"  # a request in flight still counts
    now[0] += 0.2
    assert tokens.participant_for(old) is None
    assert tokens.participant_for(new) == "p1"  # the current token has no end of its own
    tokens.revoke("p1")
    assert tokens.participant_for(new) is None and tokens.recently_revoked(new)
    now[0] += 1.1
    tokens.purge()
    assert not tokens.recently_revoked(new)
    assert tokens.participant_for(None) is None and tokens.participant_for("") is None


# ------------------------------------------------------------------- controls


def test_mute_and_video_mute_are_reflected_in_the_roster(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.open")
    me = f"participants/{result['participant_uuid']}"
    for command in ("mute", "video_muted", "client_mute"):
        response = sim_api.call("meet.open", f"{me}/{command}", result["token"])
        assert response.status_code == 200 and _result(response) is True
    participant = sim_api.sim.control.room("meet.open")["participants"][0]
    assert participant["is_muted"] == "YES"
    assert participant["is_video_muted"] is True
    assert participant["is_client_muted"] is True
    for command in ("unmute", "video_unmuted", "client_unmute"):
        assert sim_api.call("meet.open", f"{me}/{command}", result["token"]).status_code == 200
    participant = sim_api.sim.control.room("meet.open")["participants"][0]
    assert participant["is_muted"] == "NO"
    assert participant["is_video_muted"] is False
    assert participant["is_client_muted"] is False


def test_dtmf_is_recorded_and_bad_digits_refused(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.open")
    me = f"participants/{result['participant_uuid']}"
    assert sim_api.call("meet.open", f"{me}/dtmf", result["token"], {"digits": "12*#"}).ok
    bad = sim_api.call("meet.open", f"{me}/dtmf", result["token"], {"digits": "12x"})
    assert bad.status_code == 400
    dtmf = sim_api.sim.control.room("meet.open")["dtmf"]
    assert [(d["participant_uuid"], d["digits"]) for d in dtmf] == [
        (result["participant_uuid"], "12*#")
    ]


def test_guest_cannot_act_on_others_or_end_the_meeting(sim_api: NodeApi) -> None:
    host = sim_api.join("meet.team", pin="1234")
    guest = sim_api.join("meet.team", pin="none")
    other = f"participants/{host['participant_uuid']}/mute"
    assert sim_api.call("meet.team", other, guest["token"]).status_code == 403
    assert sim_api.call("meet.team", "disconnect", guest["token"]).status_code == 403
    # The host may mute the guest.
    assert sim_api.call(
        "meet.team", f"participants/{guest['participant_uuid']}/mute", host["token"]
    ).ok


def test_host_disconnect_ends_the_conference_for_everyone(sim_api: NodeApi) -> None:
    host = sim_api.join("meet.team", pin="1234")
    guest = sim_api.join("meet.team", pin="none")
    assert sim_api.call("meet.team", "disconnect", host["token"]).ok
    assert sim_api.sim.control.room("meet.team")["participants"] == []
    gone = sim_api.call("meet.team", "refresh_token", guest["token"])
    assert gone.status_code == 403


def test_participant_disconnect_leaves_and_release_still_succeeds(sim_api: NodeApi) -> None:
    result = sim_api.join("meet.open")
    me = f"participants/{result['participant_uuid']}"
    assert sim_api.call("meet.open", f"{me}/disconnect", result["token"]).ok
    assert sim_api.sim.control.room("meet.open")["participants"] == []
    assert sim_api.call("meet.open", "release_token", result["token"]).ok


def test_a_host_lets_waiting_guests_in_and_only_a_host_may_start(sim_api: NodeApi) -> None:
    guest = sim_api.join("meet.board", pin="1357")
    assert sim_api.call("meet.board", "start_conference", guest["token"]).status_code == 403
    host = sim_api.join("meet.board", pin="2468")
    # A real host joining lets the guest in by itself.
    roster = {p["uuid"]: p for p in sim_api.sim.control.room("meet.board")["participants"]}
    assert roster[guest["participant_uuid"]]["service_type"] == "conference"
    assert sim_api.call("meet.board", "start_conference", host["token"]).ok
