"""The session in a meeting: event stream drops, the node ending it, leaving a dead node,
and arbitrary event payloads (property test on the real session after a real join)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.infinity.models import Event
from kiosk.session.error_messages import disconnect_message
from kiosk.session_state import ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread

S = SessionState
# The contract: leave() ends within about 5 s whatever the node does (its budget is 3.5 s).
LEAVE_LIMIT = 5.0


async def joined(sim_settings: Settings, alias: str = "meet.open") -> tuple[
        ConferenceSession, SessionWatch]:
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join(alias)
    assert session.snapshot.state is S.CONNECTED
    await watch.until(lambda s: s.participant_count >= 1, what="roster")
    return session, watch


async def test_event_stream_dropped_by_the_node_reconnects(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.session.meeting_link")
    session, watch = await joined(sim_settings)
    await asyncio.to_thread(simulator.control.inject_fault, "events", drop_events=True)
    # The reader reconnects (with the newest token) and the node replays the roster.
    deadline = time.monotonic() + 10
    while "Event stream connected" not in caplog.text.split("Event stream lost")[-1]:
        assert time.monotonic() < deadline, caplog.text
        await asyncio.sleep(0.05)
    assert session.snapshot.state is S.CONNECTED
    # Events flow on the new stream: a host joining is seen.
    await asyncio.to_thread(simulator.control.host_joins, "meet.open")
    await watch.until(lambda s: s.participant_count == 2, what="host seen after reconnect")
    assert S.ERROR not in watch.states
    await session.leave()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("Conference terminated by a host", "The meeting has ended."),
        ("The fire alarm went off", "The fire alarm went off."),
    ],
)
async def test_node_ending_the_meeting_shows_its_reason(
    simulator: SimulatorThread, sim_settings: Settings, reason: str, message: str
) -> None:
    session, watch = await joined(sim_settings)
    await asyncio.to_thread(simulator.control.end_meeting, "meet.open", reason)
    ended = await watch.state(S.ERROR)
    assert ended.error is not None
    assert ended.error.code is ErrorCode.DISCONNECTED_BY_NODE
    assert ended.error.message == message
    assert ended.conference_name == "Open meeting"  # the error screen can still name it
    await session.leave()
    assert session.snapshot.state is S.IDLE


async def test_leave_returns_quickly_when_the_node_stops_answering(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, _ = await joined(sim_settings)
    # Every later request of the client API hangs for 20 s.
    await asyncio.to_thread(simulator.control.inject_fault, "/api/client/v2", delay=20.0, count=50)
    started = time.monotonic()
    await session.leave()
    assert time.monotonic() - started < LEAVE_LIMIT
    assert session.snapshot.state is S.IDLE
    await asyncio.to_thread(simulator.control.clear_faults)


async def test_leave_returns_quickly_when_the_node_is_gone(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, _ = await joined(sim_settings)
    await asyncio.to_thread(simulator.stop)
    started = time.monotonic()
    await session.leave()
    assert time.monotonic() - started < LEAVE_LIMIT
    assert session.snapshot.state is S.IDLE


async def test_a_control_request_that_outlasts_the_meeting_does_not_touch_the_next_one(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, _ = await joined(sim_settings)
    # The node answers the mute late, and with an error.
    await asyncio.to_thread(simulator.control.inject_fault, "/mute", status=502, delay=1.0)
    muting = asyncio.create_task(session.set_microphone_muted(True))
    await asyncio.sleep(0.2)  # the request is on its way
    await session.leave()
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    await asyncio.wait_for(muting, 10.0)
    # Its failure is not shown in the new meeting (nor on the home screen).
    assert session.snapshot.state is S.CONNECTED
    assert session.snapshot.notice == ""
    await session.leave()


def json_values() -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )


EVENT_NAMES = [
    "participant_sync_begin", "participant_sync_end", "participant_create",
    "participant_update", "participant_delete", "conference_update", "call_disconnected",
    "refresh_token", "new_offer", "update_sdp", "presentation_start", "presentation_stop",
    "stage", "layout", "message_received", "new_candidate", "peer_disconnect",
]
FIELDS = ["uuid", "service_type", "role", "is_muted", "is_video_muted", "display_name",
          "start_time", "locked", "started", "call_uuid", "sdp", "reason"]


async def test_arbitrary_event_payloads_never_crash_the_session(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, _ = await joined(sim_settings)
    own = next(p["uuid"] for p in simulator.control.room("meet.open")["participants"])
    values = json_values() | st.sampled_from([own, "conference", "waiting_room", "ivr", "YES"])
    payloads = values | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), values,
                                        max_size=6)
    names = st.sampled_from(EVENT_NAMES) | st.text(max_size=12).filter(lambda n: n != "disconnect")

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(names, payloads)
    def feed(name: str, data: object) -> None:
        session.handle_event(Event(name=name, data=data))
        snapshot = session.snapshot
        assert snapshot.state in (S.CONNECTED, S.WAITING_FOR_HOST), snapshot
        assert snapshot.participant_count >= 0

    feed()
    await asyncio.sleep(0.2)  # let anything the events scheduled run
    assert session.snapshot.state in (S.CONNECTED, S.WAITING_FOR_HOST)
    assert session.snapshot.error is None
    # Still a working session: a real event arrives and it leaves cleanly.
    await asyncio.to_thread(simulator.control.host_joins, "meet.open")
    await session.leave()
    assert session.snapshot.state is S.IDLE


async def test_a_disconnect_event_with_any_payload_ends_cleanly(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, watch = await joined(sim_settings)
    session.handle_event(Event(name="disconnect", data=[1, {"reason": None}]))
    ended = await watch.state(S.ERROR)
    assert ended.error is not None and ended.error.code is ErrorCode.DISCONNECTED_BY_NODE
    # No reason in words at all (issue 8): the plain fact.
    assert ended.error.message == "The meeting ended."
    await session.leave()


@pytest.mark.parametrize("reason", [None, 42, {"text": "bye"}, ["bye"], True])
async def test_a_reason_that_is_not_text_reads_the_meeting_ended(
    simulator: SimulatorThread, sim_settings: Settings, reason: object
) -> None:
    session, watch = await joined(sim_settings)
    session.handle_event(Event(name="disconnect", data={"reason": reason}))
    ended = await watch.state(S.ERROR)
    assert ended.error is not None and ended.error.message == "The meeting ended."
    await session.leave()


async def test_a_reason_with_control_characters_is_shown_without_them(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, watch = await joined(sim_settings)
    reason = "Room\x1b[31m closed\u202e by\x00 the\u200b host\x85 now"
    await asyncio.to_thread(simulator.control.end_meeting, "meet.open", reason)
    ended = await watch.state(S.ERROR)
    assert ended.error is not None
    assert ended.error.message == "Room [31m closed by the host now."
    await session.leave()


@given(st.text())
def test_disconnect_reasons_always_make_a_short_clean_sentence(reason: str) -> None:
    message = disconnect_message(reason)
    assert message and len(message) <= 160
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in message)
