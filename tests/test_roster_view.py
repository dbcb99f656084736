"""The roster's display order and batching, and the parsing of the meeting's extra events
(pure logic: no node needed for these shapes)."""

from __future__ import annotations

import asyncio

import pytest

from kiosk.infinity.models import Event, Participant, Role
from kiosk.session.extra_events import ExtraEvents, ExtraHandlers
from kiosk.session.roster_feed import RosterFeed, build_view


def person(uuid: str, name: str, **fields: object) -> Participant:
    return Participant.parse({"uuid": uuid, "display_name": name, **fields})


def test_lobby_first_then_this_room_then_hands_then_names() -> None:
    people = [
        person("z", "zoe"), person("b", "Bob", buzz_time=20.0), person("me", "Room"),
        person("w2", "Late", service_type="waiting_room", start_time=5.0),
        person("a", "anna", buzz_time=10.0), person("w1", "Early",
                                                   service_type="waiting_room", start_time=1.0),
        person("c", "Carl", role="chair", is_muted="YES", is_video_muted=True,
               is_presenting="YES"),
        person("i", "On a PIN screen", service_type="ivr"),
    ]
    view = build_view(people, "me", version=1)
    assert [e.uuid for e in view.entries] == ["w1", "w2", "me", "a", "b", "c", "z"]
    assert [e.uuid for e in view.waiting] == ["w1", "w2"] and view.hands_raised == 2
    carl = view.find("c")
    assert carl.is_host and carl.muted and carl.video_muted and carl.presenting
    assert view.find("me").is_self and view.find("i") is None


async def test_many_changes_make_one_batch_and_none_during_a_replay() -> None:
    state = {"people": (person("me", "Room"),), "syncing": False}
    feed = RosterFeed(lambda: (state["people"], "me", state["syncing"]), batch_seconds=0.05)
    published = []
    feed.subscribe(published.append)
    for _ in range(500):
        feed.changed()
    await asyncio.sleep(0.2)
    assert len(published) == 1 and published[0].entries[0].is_self
    state["syncing"] = True
    state["people"] = ()
    feed.changed()
    await asyncio.sleep(0.2)
    assert len(published) == 1  # nothing half-replayed is shown
    state["syncing"] = False
    state["people"] = (person("me", "Room"), person("x", "Xena"))
    feed.changed()
    await asyncio.sleep(0.2)
    assert len(published) == 2 and len(published[1].entries) == 2


def recorder() -> tuple[ExtraEvents, list[tuple[str, object]]]:
    calls: list[tuple[str, object]] = []

    def note(name: str):
        return lambda value=None: calls.append((name, value))

    handlers = ExtraHandlers(
        refer=note("refer"), breakout_begin=note("begin"), breakout_refer=note("refer_b"),
        breakout_end=note("end"), on_hold=note("hold"), splash_screen=note("splash"),
        peer_disconnect=note("peer"), message=note("message"), role=note("role"))
    return ExtraEvents(handlers), calls


def test_extra_events_are_parsed_into_their_shapes() -> None:
    events, calls = recorder()
    assert events.handle(Event("refer", {"alias": "meet.b", "token": "t"}))
    assert events.handle(Event("on_hold", {"setting": "YES"}))
    assert events.handle(Event("splash_screen", None))
    assert events.handle(Event("splash_screen", {"screen_key": "k", "display_duration": 5}))
    assert events.handle(Event("role", {"role": "chair"}))
    assert events.handle(Event("message_received", {"origin": "A", "type": "application/json",
                                                    "payload": "{}"}))
    assert not events.handle(Event("fecc", {}))
    names = [name for name, _ in calls]
    assert names == ["refer", "hold", "splash", "splash", "role"]  # json messages skipped
    assert calls[0][1].alias == "meet.b" and calls[1][1] is True and calls[2][1] is None
    assert calls[3][1].duration == 5.0 and calls[4][1] is Role.HOST


@pytest.mark.parametrize(("name", "data"), [
    ("refer", {"alias": "x"}), ("refer", "meet"), ("on_hold", {"setting": [1]}),
    ("splash_screen", {"screen_key": "k", "display_duration": "soon"}),
    ("splash_screen", {"screen_key": 7}), ("message_received", {"payload": 5}),
    ("role", {"role": "KING"}), ("breakout_refer", {"breakout_uuid": None}),
])
def test_broken_payloads_raise_value_error(name: str, data: object) -> None:
    events, calls = recorder()
    with pytest.raises(ValueError):
        events.handle(Event(name, data))
    assert not calls
