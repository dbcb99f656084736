"""The simulator's presentations, layouts and captions, with a plain HTTP client (no kiosk code):
the shapes a Pexip node sends, as Pexip's schemas and SDKs have them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from simulator_test_client import NodeApi

from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.rooms import RoomsFileError, parse_rooms
from kiosk.simulator.slide_deck import SlideDeck

ROOM = "meet.open"


def get(api: NodeApi, path: str, token: str) -> Any:
    return api.http.get(api.conference(ROOM) + path, headers={"token": token},
                        verify=api.verify, timeout=10)


def test_presentation_events_and_jpegs(simulator: SimulatorThread, sim_api: NodeApi) -> None:
    joined = sim_api.join(ROOM)
    token = joined["token"]
    events = sim_api.events(ROOM, token)
    try:
        events.sync()
        assert get(sim_api, "/presentation_high.jpeg?id=1", token).status_code == 404
        simulator.control.present(ROOM, "Anna Svensson", mode="jpeg")
        update = events.wait_for("participant_update",
                                 lambda d: d["display_name"] == "Anna Svensson")
        assert update.data["is_presenting"] == "YES"
        start = events.wait_for("presentation_start")
        assert start.data["presenter_name"] == "Anna Svensson"
        assert set(start.data) == {"presenter_name", "presenter_uuid", "presenter_uri"}
        frame = events.wait_for("presentation_frame")
        assert frame.data is None and frame.id and frame.id.isdigit()
        stage = events.wait_for("stage")
        assert stage.data[0] == {"participant_uuid": start.data["presenter_uuid"],
                                 "stage_index": 0, "vad": 100}
        high = get(sim_api, f"/presentation_high.jpeg?id={frame.id}", token)
        low = get(sim_api, f"/presentation.jpeg?id={frame.id}", token)
        assert high.headers["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(high.content)).size == (1280, 720)
        assert Image.open(io.BytesIO(low.content)).size == (640, 360)
        assert get(sim_api, "/presentation_high.jpeg?id=1", "bad").status_code == 403
        assert get(sim_api, "/presentation_high.jpeg?id=x", token).status_code == 400
        assert simulator.control.stop_presenting(ROOM) is True
        events.wait_for("presentation_stop")
        assert simulator.control.stop_presenting(ROOM) is False
        state = simulator.control.room(ROOM)
        assert state["presentation"]["jpegs_served"][joined["participant_uuid"]] == 1
        assert state["presentation"]["low_jpegs_served"][joined["participant_uuid"]] == 1
        assert state["presentation"]["presentation"] is None
    finally:
        events.close()


def test_layouts_and_transform_layout(simulator: SimulatorThread, sim_api: NodeApi) -> None:
    host = sim_api.join(ROOM)["token"]  # no PIN: a host
    layouts = get(sim_api, "/available_layouts", host).json()["result"]
    svgs = get(sim_api, "/layout_svgs", host).json()["result"]
    assert "1:7" in layouts and set(svgs) == set(layouts)
    assert all(svg.startswith("<svg") for svg in svgs.values())
    events = sim_api.events(ROOM, host)
    try:
        events.sync()
        reply = sim_api.call(ROOM, "transform_layout", host, {"transforms": {"layout": "1:7"}})
        assert reply.status_code == 200 and reply.json()["result"] is True
        layout = events.wait_for("layout")
        assert layout.data["view"] == "1:7"
        assert layout.data["requested_layout"]["primary_screen"]["chair_layout"] == "1:7"
        bad = sim_api.call(ROOM, "transform_layout", host, {"transforms": {"layout": "9:9"}})
        assert bad.status_code == 400
    finally:
        events.close()
    assert simulator.control.room(ROOM)["layout"] == "1:7"


def test_guests_may_not_change_the_layout(simulator: SimulatorThread, sim_api: NodeApi) -> None:
    simulator.control.host_joins("meet.team")
    guest = sim_api.join("meet.team", pin="none")["token"]
    reply = sim_api.post(sim_api.conference("meet.team") + "/transform_layout",
                         {"transforms": {"layout": "1:7"}}, token=guest)
    assert reply.status_code == 403


def test_captions_only_for_who_asked(simulator: SimulatorThread, sim_api: NodeApi) -> None:
    joined = sim_api.join(ROOM)
    token, uuid = joined["token"], joined["participant_uuid"]
    events = sim_api.events(ROOM, token)
    try:
        sync = events.sync()
        events.wait_for("conference_update", lambda d: d["live_captions_available"] is True)
        assert sync
        show = sim_api.post(sim_api.conference(ROOM) + f"/participants/{uuid}/show_live_captions",
                            token=token)
        assert show.status_code == 200 and show.json()["result"] is None
        simulator.control.play_captions(ROOM, ["Hello there"], word_seconds=0.01)
        partial = events.wait_for("live_captions")
        assert partial.data["data"] == "Hello" and partial.data["is_final"] is False
        final = events.wait_for("live_captions", lambda d: d["is_final"])
        assert final.data["data"] == "Hello there" and isinstance(final.data["sent_time"], float)
        sim_api.post(sim_api.conference(ROOM) + f"/participants/{uuid}/hide_live_captions",
                     token=token)
        assert simulator.control.room(ROOM)["captions"]["wanted"] == []
    finally:
        events.close()


def test_each_slide_is_drawn_once() -> None:
    deck = SlideDeck("Anna Svensson")
    first = deck.slide(0)
    for index in range(3 * len(deck)):
        deck.slide(index)
    assert deck.renders == len(deck)
    assert deck.slide(0) is first
    frame = first.frame()
    assert (frame.width, frame.height) == (1280, 720)
    assert (first.frame(main=True).width, first.frame(main=True).height) == (640, 360)


@pytest.mark.parametrize(("extra", "problem"), [
    ('presenter_name = "Anna"', "go together"),
    ("present_after_join = 5", "go together"),
    ('presenter_name = ""\npresent_after_join = 5', "non-empty"),
    ('presenter_name = "Anna"\npresent_after_join = -1', "seconds"),
])
def test_room_presenter_settings_are_checked(extra: str, problem: str) -> None:
    with pytest.raises(RoomsFileError, match=problem):
        parse_rooms(f'[[room]]\nalias = "a"\nname = "A"\n{extra}\n')
    room = parse_rooms('[[room]]\nalias = "a"\nname = "A"\npresenter_name = "Anna"\n'
                       "present_after_join = 20\n")[0]
    assert room.presenter_name == "Anna" and room.present_after_join == 20.0
