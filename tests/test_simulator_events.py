"""The simulator's event stream: roster replay, live events, waiting room, expiry, end."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from simulator_test_client import EventReader, NodeApi

from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.rooms import parse_rooms

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def readers() -> Iterator[list[EventReader]]:
    opened: list[EventReader] = []
    yield opened
    for reader in opened:
        reader.close()


def _open(client: NodeApi, readers: list[EventReader], alias: str, token: str, **kw) -> EventReader:
    reader = client.events(alias, token, **kw)
    readers.append(reader)
    assert reader.status_code == 200
    assert reader.response.headers["Content-Type"].startswith("text/event-stream")
    return reader


def test_connect_replays_the_roster_with_full_participant_objects(
    sim_api: NodeApi, readers: list[EventReader]
) -> None:
    me = sim_api.join("meet.lobby", "Kiosk", pin="none")
    reader = _open(sim_api, readers, "meet.lobby", me["token"])
    replay = reader.sync()
    assert replay[0].name == "participant_sync_begin" and replay[0].data is None
    assert replay[-1].name == "participant_sync_end" and replay[-1].data is None
    creates = [e.data for e in replay if e.name == "participant_create"]
    assert len(creates) == 2  # the simulated host and me
    by_name = {p["display_name"]: p for p in creates}
    host, mine = by_name["Host"], by_name["Kiosk"]
    assert host["role"] == "chair" and mine["role"] == "guest"
    assert mine["uuid"] == me["participant_uuid"]
    assert mine["service_type"] == "conference"
    assert mine["is_muted"] == "NO" and mine["is_presenting"] == "NO"
    assert mine["is_video_muted"] is False and mine["is_client_muted"] is False
    assert isinstance(mine["start_time"], float)
    ids = [int(e.id) for e in replay]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    update = reader.next()
    assert update.name == "conference_update" and update.data["started"] is True


def test_token_in_query_string_is_accepted(sim_api: NodeApi, readers: list[EventReader]) -> None:
    me = sim_api.join("meet.open")
    reader = _open(sim_api, readers, "meet.open", me["token"], in_query=True)
    assert reader.sync()[0].name == "participant_sync_begin"


def test_events_without_a_valid_token_are_refused(sim_api: NodeApi) -> None:
    reader = sim_api.events("meet.open", "bogus")
    assert reader.status_code == 403
    assert reader.response.json()["result"] == "Invalid token"


def test_live_create_update_delete(sim_api: NodeApi, readers: list[EventReader]) -> None:
    first = sim_api.join("meet.open", "First")
    reader = _open(sim_api, readers, "meet.open", first["token"])
    reader.sync()
    second = sim_api.join("meet.open", "Second")
    created = reader.wait_for("participant_create")
    assert created.data["uuid"] == second["participant_uuid"]
    assert created.data["display_name"] == "Second"
    sim_api.call("meet.open", f"participants/{second['participant_uuid']}/mute", second["token"])
    updated = reader.wait_for("participant_update")
    assert updated.data["uuid"] == second["participant_uuid"] and updated.data["is_muted"] == "YES"
    second_me = f"participants/{second['participant_uuid']}"
    sim_api.call("meet.open", f"{second_me}/video_muted", second["token"])
    updated = reader.wait_for("participant_update")
    assert updated.data["is_video_muted"] is True
    sim_api.call("meet.open", "release_token", second["token"])
    deleted = reader.wait_for("participant_delete")
    assert deleted.data == {"uuid": second["participant_uuid"]}


def test_guest_waits_until_the_simulated_host_joins(
    sim_api: NodeApi, readers: list[EventReader]
) -> None:
    guest = sim_api.join("meet.team", "Guest kiosk", pin="none")
    assert guest["current_service_type"] == "waiting_room"
    reader = _open(sim_api, readers, "meet.team", guest["token"])
    replay = reader.sync()
    mine = [e.data for e in replay if e.name == "participant_create"]
    assert [p["service_type"] for p in mine] == ["waiting_room"]
    assert reader.next().data["started"] is False

    admitted = sim_api.sim.control.host_joins("meet.team")
    assert admitted["admitted"] == [guest["participant_uuid"]]
    host = reader.wait_for("participant_create")
    assert host.data["role"] == "chair"
    let_in = reader.wait_for(
        "participant_update", lambda d: d["uuid"] == guest["participant_uuid"]
    )
    assert let_in.data["service_type"] == "conference"
    assert reader.wait_for("conference_update").data["started"] is True

    # A guest arriving now goes straight in; when the host leaves, guests stay.
    later = sim_api.join("meet.team", "Late guest", pin="none")
    assert later["current_service_type"] == "conference"
    left = sim_api.sim.control.host_leaves("meet.team")["left"]
    assert reader.wait_for("participant_delete").data == {"uuid": left[0]}
    room = sim_api.sim.control.room("meet.team")
    assert room["host_present"] is False
    assert {p["service_type"] for p in room["participants"]} == {"conference"}


def test_real_host_with_pin_lets_waiting_guests_in(
    sim_api: NodeApi, readers: list[EventReader]
) -> None:
    guest = sim_api.join("meet.board", pin="1357")
    reader = _open(sim_api, readers, "meet.board", guest["token"])
    reader.sync()
    sim_api.join("meet.board", "Chair", pin="2468")
    let_in = reader.wait_for(
        "participant_update", lambda d: d["uuid"] == guest["participant_uuid"]
    )
    assert let_in.data["service_type"] == "conference"


def test_end_meeting_disconnects_everyone_with_the_reason(
    sim_api: NodeApi, readers: list[EventReader]
) -> None:
    me = sim_api.join("meet.open")
    reader = _open(sim_api, readers, "meet.open", me["token"])
    reader.sync()
    assert sim_api.sim.control.end_meeting("meet.open", "The meeting is over") == 1
    event = reader.wait_for("disconnect")
    assert event.data == {"reason": "The meeting is over"}
    assert reader.ended.wait(3), "the stream should close after disconnect"
    assert sim_api.call("meet.open", "refresh_token", me["token"]).status_code == 403
    assert sim_api.sim.control.room("meet.open")["participants"] == []


def test_refresh_event_and_missed_refresh_disconnects(
    short_token_simulator: SimulatorThread, readers: list[EventReader]
) -> None:
    sim_api = NodeApi(short_token_simulator)
    joined_before = time.monotonic()
    me = sim_api.join("meet.open")
    assert me["expires"] == "2"
    reader = _open(sim_api, readers, "meet.open", me["token"])
    reader.sync()
    short_token_simulator.control.request_refresh("meet.open", me["participant_uuid"])
    assert reader.wait_for("refresh_token").name == "refresh_token"
    event = reader.wait_for("disconnect", timeout=8)
    assert event.data == {"reason": "Timer expired awaiting token refresh"}
    # Not before the token's 2 s were over (the upper bound is the wait's timeout).
    assert time.monotonic() - joined_before >= 2.0
    room = short_token_simulator.control.room("meet.open")
    assert room["participants"] == []
    assert room["departed"][-1]["reason"] == "Timer expired awaiting token refresh"
    assert sim_api.call("meet.open", "refresh_token", me["token"]).status_code == 403
    sim_api.close()


def test_refreshing_keeps_the_participant_beyond_the_token_lifetime(
    short_token_simulator: SimulatorThread, readers: list[EventReader]
) -> None:
    sim_api = NodeApi(short_token_simulator)
    me = sim_api.join("meet.open")
    token = me["token"]
    reader = _open(sim_api, readers, "meet.open", token)
    reader.sync()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.7)
        response = sim_api.call("meet.open", "refresh_token", token)
        assert response.status_code == 200, response.text
        token = response.json()["result"]["token"]
    participants = short_token_simulator.control.room("meet.open")["participants"]
    assert [p["uuid"] for p in participants] == [me["participant_uuid"]]
    assert participants[0]["token_refreshes"] >= 6
    # The stream stayed open all along and saw no disconnect.
    with pytest.raises(AssertionError):
        reader.wait_for("disconnect", timeout=0.3)
    sim_api.close()


def test_events_missed_while_no_stream_is_open_are_delivered_on_connect(
    sim_api: NodeApi, readers: list[EventReader]
) -> None:
    me = sim_api.join("meet.open")
    sim_api.sim.control.request_refresh("meet.open", me["participant_uuid"])
    reader = _open(sim_api, readers, "meet.open", me["token"])
    reader.sync()
    assert reader.wait_for("refresh_token").name == "refresh_token"


def test_guest_waiting_too_long_for_a_host_is_disconnected(
    readers: list[EventReader],
) -> None:
    rooms = parse_rooms(
        '[[room]]\nalias = "meet.wait"\nname = "Wait"\nhost_pin = "1234"\n'
        "allow_guests = true\nhost_wait_timeout = 1\n"
    )
    with SimulatorThread(rooms) as sim:
        sim_api = NodeApi(sim)
        guest = sim_api.join("meet.wait", pin="none")
        assert guest["current_service_type"] == "waiting_room"
        reader = _open(sim_api, readers, "meet.wait", guest["token"])
        reader.sync()
        event = reader.wait_for("disconnect", timeout=4)
        assert event.data["reason"].startswith("Timeout waiting for conference host")
        # A host is never timed out.
        assert sim_api.join("meet.wait", pin="1234")["role"] == "HOST"
        time.sleep(1.5)
        assert sim.control.room("meet.wait")["participant_count"] == 1
        reader.close()
        sim_api.close()
