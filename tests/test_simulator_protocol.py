"""The simulator speaks the Client REST API v2: joining, PIN rules, tokens, controls.

Plain `requests` over real loopback HTTPS against the `simulator` fixture.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from simulator_test_client import NodeApi

from kiosk.simulator.background import SimulatorThread

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def api(simulator: SimulatorThread) -> Iterator[NodeApi]:
    client = NodeApi(simulator)
    yield client
    client.close()


def _result(response) -> object:
    return response.json()["result"]


# ---------------------------------------------------------------- status, 404


def test_status_says_up(api: NodeApi) -> None:
    response = api.http.get(api.base + "/status", verify=api.verify, timeout=5)
    assert response.status_code == 200
    assert response.json()["result"]


def test_unknown_alias_is_404_with_pexip_reason(api: NodeApi) -> None:
    response = api.request_token("meet.nobody")
    assert response.status_code == 404
    assert _result(response) == "Neither conference nor gateway found"


def test_open_room_gives_host_token_with_every_documented_field(api: NodeApi) -> None:
    result = api.join("meet.open", "Kiosk One")
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


def test_alias_match_ignores_case_and_accepts_url_encoding(api: NodeApi) -> None:
    result = api.join("MEET.Open")
    assert result["conference_name"] == "Open meeting"


# ------------------------------------------------------------------ PIN rules


def test_optional_pin_room_prompts_with_guest_option(api: NodeApi) -> None:
    response = api.request_token("meet.team")
    assert response.status_code == 403
    assert _result(response) == {"pin": "required", "guest_pin": "none"}


def test_optional_pin_room_guest_with_pin_none_waits_for_host(api: NodeApi) -> None:
    result = api.join("meet.team", pin="none")
    assert result["role"] == "GUEST"
    assert result["service_type"] == "conference"
    assert result["current_service_type"] == "waiting_room"


def test_empty_pin_means_none(api: NodeApi) -> None:
    assert api.join("meet.team", pin="")["role"] == "GUEST"


def test_optional_pin_room_host_pin_gives_host(api: NodeApi) -> None:
    result = api.join("meet.team", pin="1234 ")
    assert result["role"] == "HOST"
    assert result["current_service_type"] == "conference"


def test_wrong_pin_is_invalid_pin(api: NodeApi) -> None:
    response = api.request_token("meet.team", pin="9999")
    assert response.status_code == 403
    assert _result(response) == "Invalid PIN"
    # A retry with the right PIN still works.
    assert api.join("meet.team", pin="1234")["role"] == "HOST"


def test_required_pin_room_prompts_without_guest_option(api: NodeApi) -> None:
    response = api.request_token("meet.board")
    assert response.status_code == 403
    assert _result(response) == {"pin": "required", "guest_pin": "required"}


def test_required_pin_room_host_and_guest_pins(api: NodeApi) -> None:
    guest = api.join("meet.board", pin="1357")
    assert guest["role"] == "GUEST"
    assert guest["current_service_type"] == "waiting_room"
    host = api.join("meet.board", pin="2468")
    assert host["role"] == "HOST"


def test_required_pin_room_refuses_pin_none_with_the_prompt_again(api: NodeApi) -> None:
    response = api.request_token("meet.board", pin="none")
    assert response.status_code == 403
    assert _result(response) == {"pin": "required", "guest_pin": "required"}
    assert _result(api.request_token("meet.board", pin="0000")) == "Invalid PIN"


def test_lobby_guest_joins_straight_in_because_a_host_is_there(api: NodeApi) -> None:
    result = api.join("meet.lobby", pin="none")
    assert result["role"] == "GUEST"
    assert result["current_service_type"] == "conference"


# ---------------------------------------------------------- virtual reception


def test_reception_asks_for_an_extension(api: NodeApi) -> None:
    response = api.request_token("reception")
    assert response.status_code == 403
    assert _result(response) == {"conference_extension": "standard"}


def test_reception_extension_applies_the_target_rooms_pin_rules(api: NodeApi) -> None:
    response = api.request_token("reception", extension="1003")
    assert response.status_code == 403
    assert _result(response) == {"pin": "required", "guest_pin": "required"}
    assert _result(api.request_token("reception", pin="1", extension="1003")) == "Invalid PIN"
    result = api.join("reception", pin="2468", extension="1003")
    assert result["role"] == "HOST"
    assert result["conference_name"] == "Board meeting"
    roster = api.sim.control.room("meet.board")["participants"]
    assert [p["uuid"] for p in roster] == [result["participant_uuid"]]
    assert roster[0]["entry_alias"] == "reception"


def test_reception_token_works_on_both_aliases_but_not_elsewhere(api: NodeApi) -> None:
    result = api.join("reception", extension="1001")
    token = result["token"]
    refreshed = api.call("reception", "refresh_token", token)
    assert refreshed.status_code == 200
    token = _result(refreshed)["token"]
    assert api.call("meet.open", "refresh_token", token).status_code == 200
    other = api.call("meet.team", "refresh_token", token)
    assert other.status_code == 403
    assert _result(other) == "Invalid token"


def test_reception_unknown_extension_is_not_found(api: NodeApi) -> None:
    response = api.request_token("reception", extension="4242")
    assert response.status_code == 404
    assert _result(response) == "Neither conference nor gateway found"


# --------------------------------------------------------- malformed requests


def test_missing_display_name_is_refused_with_a_reason(api: NodeApi) -> None:
    response = api.post(api.conference("meet.open") + "/request_token", {})
    assert response.status_code == 400
    assert response.json() == {"status": "failed", "result": "Missing or empty display_name"}


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_body_is_400_and_the_server_keeps_serving(api: NodeApi, raw: bytes) -> None:
    response = api.post(api.conference("meet.open") + "/request_token", data=raw)
    assert response.status_code == 400
    assert response.json()["status"] == "failed"
    assert "Malformed" in response.json()["result"]
    assert api.join("meet.open")["role"] == "HOST"


def test_unsupported_call_type_and_missing_sdp_are_400(api: NodeApi) -> None:
    result = api.join("meet.open")
    path = f"participants/{result['participant_uuid']}/calls"
    bad_type = api.call("meet.open", path, result["token"], {"call_type": "RTMP", "sdp": "v=0"})
    assert bad_type.status_code == 400
    no_sdp = api.call("meet.open", path, result["token"], {"call_type": "WEBRTC"})
    assert no_sdp.status_code == 400
    garbage = api.call("meet.open", path, result["token"], {"call_type": "WEBRTC", "sdp": "x"})
    assert garbage.status_code == 400
    assert api.join("meet.open")["role"] == "HOST"


# --------------------------------------------------------------------- tokens


def test_refresh_gives_a_new_token_and_the_same_expiry(api: NodeApi) -> None:
    result = api.join("meet.open")
    response = api.call("meet.open", "refresh_token", result["token"])
    assert response.status_code == 200
    refreshed = _result(response)
    assert refreshed["token"] != result["token"]
    assert refreshed["expires"] == "120"
    assert refreshed["role"] == "HOST"
    assert api.sim.control.room("meet.open")["participants"][0]["token_refreshes"] == 1


def test_unknown_token_is_invalid_token(api: NodeApi) -> None:
    response = api.call("meet.open", "refresh_token", "not-a-token")
    assert response.status_code == 403
    assert _result(response) == "Invalid token"
    missing = api.call("meet.open", "refresh_token", token=None)  # type: ignore[arg-type]
    assert missing.status_code == 403


def test_release_token_removes_the_participant_and_ends_the_token(api: NodeApi) -> None:
    result = api.join("meet.open", "Leaving kiosk")
    response = api.call("meet.open", "release_token", result["token"], {"reason": "bye"})
    assert response.status_code == 200 and _result(response) is True
    room = api.sim.control.room("meet.open")
    assert room["participants"] == []
    assert room["departed"][-1]["display_name"] == "Leaving kiosk"
    assert room["departed"][-1]["reason"] == "bye"
    # A repeated release is harmless; other calls are refused.
    assert api.call("meet.open", "release_token", result["token"]).status_code == 200
    mute = api.call("meet.open", f"participants/{result['participant_uuid']}/mute", result["token"])
    assert mute.status_code == 403 and _result(mute) == "Invalid token"


def test_old_token_ends_shortly_after_a_refresh(short_token_simulator: SimulatorThread) -> None:
    api = NodeApi(short_token_simulator)
    result = api.join("meet.open")
    old = result["token"]
    new = _result(api.call("meet.open", "refresh_token", old))["token"]
    # Still good within the grace (requests in flight), refused after it.
    assert api.call("meet.open", "refresh_token", new).status_code == 200
    time.sleep(0.7)
    assert _result(api.call("meet.open", "refresh_token", old)) == "Invalid token"
    api.close()


# ------------------------------------------------------------------- controls


def test_mute_and_video_mute_are_reflected_in_the_roster(api: NodeApi) -> None:
    result = api.join("meet.open")
    me = f"participants/{result['participant_uuid']}"
    for command in ("mute", "video_muted", "client_mute"):
        response = api.call("meet.open", f"{me}/{command}", result["token"])
        assert response.status_code == 200 and _result(response) is True
    participant = api.sim.control.room("meet.open")["participants"][0]
    assert participant["is_muted"] == "YES"
    assert participant["is_video_muted"] is True
    assert participant["is_client_muted"] is True
    for command in ("unmute", "video_unmuted", "client_unmute"):
        assert api.call("meet.open", f"{me}/{command}", result["token"]).status_code == 200
    participant = api.sim.control.room("meet.open")["participants"][0]
    assert participant["is_muted"] == "NO"
    assert participant["is_video_muted"] is False
    assert participant["is_client_muted"] is False


def test_dtmf_is_recorded_and_bad_digits_refused(api: NodeApi) -> None:
    result = api.join("meet.open")
    me = f"participants/{result['participant_uuid']}"
    assert api.call("meet.open", f"{me}/dtmf", result["token"], {"digits": "12*#"}).ok
    bad = api.call("meet.open", f"{me}/dtmf", result["token"], {"digits": "12x"})
    assert bad.status_code == 400
    dtmf = api.sim.control.room("meet.open")["dtmf"]
    assert [(d["participant_uuid"], d["digits"]) for d in dtmf] == [
        (result["participant_uuid"], "12*#")
    ]


def test_guest_cannot_act_on_others_or_end_the_meeting(api: NodeApi) -> None:
    host = api.join("meet.team", pin="1234")
    guest = api.join("meet.team", pin="none")
    other = f"participants/{host['participant_uuid']}/mute"
    assert api.call("meet.team", other, guest["token"]).status_code == 403
    assert api.call("meet.team", "disconnect", guest["token"]).status_code == 403
    # The host may mute the guest.
    assert api.call(
        "meet.team", f"participants/{guest['participant_uuid']}/mute", host["token"]
    ).ok


def test_host_disconnect_ends_the_conference_for_everyone(api: NodeApi) -> None:
    host = api.join("meet.team", pin="1234")
    guest = api.join("meet.team", pin="none")
    assert api.call("meet.team", "disconnect", host["token"]).ok
    assert api.sim.control.room("meet.team")["participants"] == []
    gone = api.call("meet.team", "refresh_token", guest["token"])
    assert gone.status_code == 403


def test_participant_disconnect_leaves_and_release_still_succeeds(api: NodeApi) -> None:
    result = api.join("meet.open")
    me = f"participants/{result['participant_uuid']}"
    assert api.call("meet.open", f"{me}/disconnect", result["token"]).ok
    assert api.sim.control.room("meet.open")["participants"] == []
    assert api.call("meet.open", "release_token", result["token"]).ok


def test_start_conference_lets_waiting_guests_in(api: NodeApi) -> None:
    guest = api.join("meet.board", pin="1357")
    host = api.join("meet.board", pin="2468")
    # A real host joining lets the guest in by itself.
    roster = {p["uuid"]: p for p in api.sim.control.room("meet.board")["participants"]}
    assert roster[guest["participant_uuid"]]["service_type"] == "conference"
    assert api.call("meet.board", "start_conference", host["token"]).ok
