"""The simulator speaks Pexip's published schemas (`@pexip/infinity-api`, vendored).

Every test that uses the `simulator` fixture has its replies and events checked at
its end (conftest). This module makes sure that check covers every route the kiosk
uses (one scenario through all of them, media included), that it does catch each
deviation issue 8 found, and that the one deliberate deviation (the bare Virtual
Reception prompt of a test room) is still accepted by the kiosk.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest
from infinity_schemas import SCHEMA_FILE, assert_matches_pexip_schemas, infinity_schemas
from session_watch import SessionWatch
from simulator_test_client import NodeApi

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.rooms import parse_rooms
from kiosk.simulator.schema_recorder import RecordedEvent, RecordedReply, operation_of

S = SessionState
# Every operation the kiosk uses, with the statuses seen. (`update`, which the kiosk never
# sends, is checked wherever the simulator's own tests use it.)
COVERED = {
    ("RequestToken", 200), ("RequestToken", 403), ("RequestToken", 404),
    ("RefreshToken", 200), ("RefreshToken", 403), ("ReleaseToken", 200),
    ("CallsWebrtcParticipant", 200), ("Ack", 200), ("DisconnectCall", 200),
    ("NewCandidate", 200), ("MuteParticipant", 200), ("UnmuteParticipant", 200),
    ("VideoMuteParticipant", 200), ("VideoUnmuteParticipant", 200),
    ("ClientMuteParticipant", 200), ("DtmfParticipant", 200), ("Dtmf", 200),
    ("UnlockParticipant", 200), ("DisconnectParticipant", 200), ("Lock", 200),
    ("Unlock", 200), ("Muteguests", 200), ("Unmuteguests", 200), ("StartConference", 200),
    ("Disconnect", 200),
}
EVENTS = {"participant_sync_begin", "participant_create", "participant_sync_end",
          "participant_update", "participant_delete", "conference_update", "new_offer",
          "refresh_token", "call_disconnected", "disconnect"}

pytestmark = pytest.mark.timeout(120)


def test_the_vendored_schemas_name_their_source_and_licence() -> None:
    vendored = json.loads(SCHEMA_FILE.read_text())
    assert vendored["source"].startswith("@pexip/infinity-api 20.0.0")
    assert "Apache License" in (SCHEMA_FILE.parent / "LICENSE").read_text()
    assert infinity_schemas().pointer("RequestToken", 200) == (
        "#/definitions/request_token/properties/200")


@pytest.mark.parametrize(
    ("operation", "status", "body", "expected"),
    [
        ("RequestToken", 200, {"status": "success", "result": {
            "token": "t", "expires": "120", "participant_uuid": "p", "display_name": "d",
            "role": "HOST", "current_service_type": "conference", "version": {},
            "pex_datachannel_id": None}}, "pex_datachannel_id: None is not of type 'number'"),
        ("RequestToken", 403, {"status": "success", "result": {"conference_extension": "standard"}},
         "'conference_extension_type' is a required property"),
        ("RequestToken", 404, {"status": "success", "result": "Neither conference nor gateway"},
         "status: 'success' is not one of ['failed']"),
        ("DisconnectCall", 200, {"status": "success", "result": True},
         "result: True is not of type 'null'"),
        ("RequestToken", 400, {"status": "failed", "result": {"why": 1}},
         "result: {'why': 1} is not of type 'string'"),
    ],
)
def test_the_check_catches_each_deviation_issue_8_found(
    operation: str, status: int, body: object, expected: str
) -> None:
    reply = RecordedReply(operation, "/x", status, json.dumps(body), body)
    problems = infinity_schemas().check([reply], [])
    assert any(expected in line for line in problems), problems
    # Marked as deliberate, the same reply is left out.
    assert infinity_schemas().check([dataclasses.replace(reply, off_schema="test")], []) == []


def test_the_check_catches_a_participant_without_external_node_uuid(
    simulator: SimulatorThread,
) -> None:
    api = NodeApi(simulator)
    me = api.join("meet.open")
    events = api.events("meet.open", me["token"])
    create = next(e for e in events.sync() if e.name == "participant_create")
    events.close()
    api.close()
    participant = dict(create.data)
    assert infinity_schemas().event_problems(RecordedEvent("participant_create", participant)) == []
    del participant["external_node_uuid"]
    problems = infinity_schemas().event_problems(RecordedEvent("participant_update", participant))
    assert problems == ["(top): 'external_node_uuid' is a required property"]


def test_operation_names_follow_pexips_validators() -> None:
    base = "/api/client/v2/conferences/meet.x"
    assert operation_of(f"{base}/request_token") == "RequestToken"
    assert operation_of(f"{base}/participants/p/calls") == "CallsWebrtcParticipant"
    assert operation_of(f"{base}/participants/p/calls/c/disconnect") == "DisconnectCall"
    assert operation_of(f"{base}/participants/p/disconnect") == "DisconnectParticipant"
    assert operation_of(f"{base}/disconnect") == "Disconnect"
    assert operation_of("/_sim/rooms") == ""


async def test_every_route_the_kiosk_uses_matches_the_schemas(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    recorder = simulator.simulator.recorder
    api = NodeApi(simulator)
    # Joining: the PIN prompts, a wrong PIN, a Virtual Reception, an unknown alias.
    for alias, pin in (("meet.board", None), ("meet.team", None), ("meet.board", "0")):
        assert api.request_token(alias, pin=pin).status_code == 403
    assert api.request_token("reception").status_code == 403
    assert api.request_token("nowhere").status_code == 404
    guest = api.join("meet.team", pin="none")
    host = api.join("meet.team", pin="1234")
    # Host and participant commands.
    for command in ("lock", "unlock", "muteguests", "unmuteguests", "start_conference"):
        assert api.call("meet.team", command, host["token"]).ok
    me = f"participants/{guest['participant_uuid']}"
    for command in ("mute", "unmute", "video_muted", "video_unmuted", "client_mute"):
        assert api.call("meet.team", f"{me}/{command}", guest["token"]).ok
    assert api.call("meet.team", f"{me}/dtmf", guest["token"], {"digits": "1#"}).ok
    assert api.call("meet.team", f"participants/{guest['participant_uuid']}/unlock",
                    host["token"]).ok
    assert api.call("meet.team", "refresh_token", "not-a-token").status_code == 403
    assert api.call("meet.team", f"{me}/disconnect", guest["token"]).ok

    # The room itself, with media: calls, ack, a server offer, DTMF on the call, a call the
    # node ends and a reconnect, a refresh asked for by the node, then the host ends it.
    settings = dataclasses.replace(sim_settings, camera="test", microphone="test",
                                   speaker="test", ice_timeout_seconds=10.0)
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    watch = SessionWatch(session)
    await session.join("meet.team")
    await session.submit_pin("1234")
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    room = await asyncio.to_thread(simulator.control.room, "meet.team")
    (kiosk,) = [p for p in room["participants"]
                if p["display_name"] == "Test room"]
    await session.send_dtmf("5")
    await asyncio.to_thread(simulator.control.renegotiate, "meet.team", kiosk["uuid"])
    await asyncio.to_thread(simulator.control.request_refresh, "meet.team", kiosk["uuid"])
    await watch.until(lambda s: s.token_refreshes >= 1, timeout=20, what="refresh")
    await asyncio.to_thread(simulator.control.disconnect_call, "meet.team", kiosk["uuid"])
    await watch.until(lambda s: S.RECONNECTING in watch.states and s.state is S.CONNECTED,
                      timeout=30, what="a new call")
    media = session.media_call
    assert media is not None
    call_path = (f"participants/{kiosk['uuid']}/calls/"
                 f"{session._meeting.call.call_uuid}/new_candidate")
    token = session._meeting.token
    assert token is not None
    assert api.call("meet.team", call_path, token.token, {"candidate": ""}).ok
    await session.leave()  # disconnect_call and release_token
    # Someone leaves while the room watches; then the host ends the meeting for all.
    other = ConferenceSession(sim_settings)
    other_watch = SessionWatch(other)
    await other.join("meet.open")
    await asyncio.to_thread(simulator.control.host_joins, "meet.open")
    await other_watch.until(lambda s: s.participant_count == 2, what="the host")
    await asyncio.to_thread(simulator.control.host_leaves, "meet.open")
    await other_watch.until(lambda s: s.participant_count == 1, what="the host gone")
    await asyncio.to_thread(simulator.control.end_meeting, "meet.open")
    ended = await other_watch.state(S.ERROR)
    assert ended.error is not None and ended.error.message == "The meeting has ended."
    await other.leave()
    assert api.call("meet.team", "disconnect", host["token"]).ok
    api.close()

    seen = {(reply.operation, reply.status) for reply in recorder.replies}
    assert seen >= COVERED, sorted(COVERED - seen)
    assert {event.name for event in recorder.events} >= EVENTS
    assert_matches_pexip_schemas(recorder)


async def test_the_kiosk_accepts_the_bare_reception_prompt_of_a_test_room(
    sim_settings: Settings, tmp_path: Path
) -> None:
    rooms = parse_rooms(
        '[[room]]\nalias = "bare.reception"\nvirtual_reception = true\n'
        'extension_prompt = "bare"\n'
        '[[room]]\nalias = "meet.x"\nname = "X"\nextension = "77"\n')
    with SimulatorThread(rooms) as sim:
        sim.simulator.recorder.enabled = True
        settings = dataclasses.replace(sim_settings, node=sim.url, ca_bundle=sim.ca_bundle)
        session = ConferenceSession(settings)
        await session.join("bare.reception")
        assert session.snapshot.state is S.EXTENSION_REQUIRED
        await session.submit_extension("77")
        assert session.snapshot.state is S.CONNECTED
        assert session.snapshot.conference_name == "X"
        await session.leave()
        # The reception's own prompts (a node may also answer 403 "Invalid token" to a
        # refresh racing the leave on a busy machine: that reply is in the schema).
        prompts = [r for r in sim.simulator.recorder.replies
                   if r.status == 403 and r.operation == "RequestToken"]
        assert prompts and all(r.off_schema for r in prompts)  # deliberate, and known so
        assert_matches_pexip_schemas(sim.simulator.recorder)
