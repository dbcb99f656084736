"""A node that misbehaves on the wire: every exchange ends within its deadline and its size
limit, the event stream survives floods and bytes that are not UTF-8, and a busy node is
waited for as it asks. Each test is one probe of issue 8, against the simulator's faults.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import logging
import time
from pathlib import Path

import pytest
from live_call import LiveCall
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import ProtocolError, ServiceUnavailable
from kiosk.infinity.event_queue import DEFAULT_CAPACITY
from kiosk.session_state import ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread

S = SessionState
UNREACHABLE = "Can't reach the meeting service. Check the network."
DEADLINE = 15.0  # the client's default: connect 5 s + read 10 s, for the whole exchange

pytestmark = pytest.mark.timeout(120)


async def joined(settings: Settings, alias: str = "meet.open"
                 ) -> tuple[ConferenceSession, SessionWatch]:
    session = ConferenceSession(settings)
    watch = SessionWatch(session)
    await session.join(alias)
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    await watch.until(lambda s: s.participant_count >= 1, what="roster")
    return session, watch


def own_streams(simulator: SimulatorThread, alias: str = "meet.open") -> int:
    (me,) = [p for p in simulator.control.room(alias)["participants"] if not p["simulated"]]
    return int(me["event_streams"])


# ------------------------------------------------------------ slow and endless replies


@pytest.mark.parametrize("start", ["headers", "body"])
async def test_a_reply_trickled_a_byte_every_two_seconds_ends_at_the_deadline(
    simulator: SimulatorThread, sim_settings: Settings, start: str
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "request_token",
                            trickle_every=2.0, trickle_from=start)
    session = ConferenceSession(sim_settings)
    started = time.monotonic()
    await session.join("meet.open")  # returns once the join has failed
    took = time.monotonic() - started
    error = session.snapshot.error
    assert session.snapshot.state is S.ERROR and error is not None
    assert error.code is ErrorCode.NODE_UNREACHABLE and error.message == UNREACHABLE
    assert DEADLINE - 1 < took < DEADLINE + 10  # the deadline, not one read timeout per byte
    await session.leave()
    assert session.snapshot.state is S.IDLE


async def test_an_endless_reply_body_is_cut_at_the_size_limit(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", endless_body=True)
    with (InfinityClient(simulator.url, verify=str(simulator.ca_bundle)) as client,
          pytest.raises(ProtocolError, match="larger than 1048576 bytes")):
        await asyncio.to_thread(client.request_token, "meet.open", "Room")
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", endless_body=True)
    session = ConferenceSession(sim_settings)
    await session.join("meet.open")
    error = session.snapshot.error
    assert error is not None and error.code is ErrorCode.PROTOCOL_ERROR
    assert error.message == "The meeting service sent an unexpected reply."
    await session.leave()


async def test_event_stream_headers_trickled_are_cut_and_the_stream_reopens(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    session, watch = await joined(sim_settings)
    await asyncio.to_thread(simulator.control.inject_fault, "events", trickle_every=2.0)
    await asyncio.to_thread(simulator.control.inject_fault, "events", drop_events=True)
    # The reopened stream's headers come a byte every 2 s: cut at the deadline, and
    # the next try works. The node answers its status checks all along: no rejoin.
    deadline = time.monotonic() + DEADLINE + 20
    while "did not finish its reply" not in caplog.text:
        assert time.monotonic() < deadline, "the trickled stream was never cut"
        await asyncio.sleep(0.2)
    await asyncio.to_thread(simulator.control.host_joins, "meet.open")
    await watch.until(lambda s: s.participant_count == 2, timeout=30, what="events again")
    assert session.snapshot.state is S.CONNECTED and session.snapshot.rejoins == 0
    await session.leave()


# ------------------------------------------------------------ the event stream


async def test_stream_bytes_that_are_not_utf8_are_one_skipped_event_not_a_reconnect(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    session, watch = await joined(sim_settings)
    raw = b'event: message_received\ndata: {"payload": "\xff\xfe\xc3"}\n\n'
    for _ in range(3):
        await asyncio.to_thread(simulator.control.inject_fault, "events",
                                raw_event_bytes=base64.b64encode(raw).decode())
    await asyncio.to_thread(simulator.control.host_joins, "meet.open")
    await watch.until(lambda s: s.participant_count == 2, what="the next event")
    assert "skipped a malformed 'message_received' event (bytes that are not UTF-8" in caplog.text
    assert "Event stream lost" not in caplog.text
    assert await asyncio.to_thread(own_streams, simulator) == 1  # the same connection
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_a_flood_of_events_is_handled_in_bounded_memory(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, watch = await joined(sim_settings)
    link = session._meeting._link  # the queue between the stream's thread and the loop
    assert link is not None
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.1)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    await asyncio.to_thread(simulator.control.inject_fault, "events", flood_events=200_000,
                            flood_participants=50)
    # 50 made-up participants, the last of 200 000 updates for each: all seen.
    await watch.until(lambda s: s.participant_count == 51, timeout=90, what="the flood")
    await asyncio.to_thread(simulator.control.host_joins, "meet.open")
    await watch.until(lambda s: s.participant_count == 52, timeout=90, what="after the flood")
    ticker.cancel()
    stats = link.events.stats()
    assert stats["high_water"] <= DEFAULT_CAPACITY  # never more waiting than that
    assert stats["merged"] > 0  # older updates of one participant were merged
    assert ticks > 0  # the loop kept running its timers meanwhile
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


# ------------------------------------------------------------ busy nodes


async def test_a_429_with_retry_after_is_waited_for_and_the_room_told(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=429,
                            headers={"Retry-After": "2"})
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    started = time.monotonic()
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    assert time.monotonic() - started >= 1.9
    assert watch.notices[:2] == ["The meeting service is busy — trying again in 2 s…",
                                 "The meeting service is busy — trying again in 1 s…"]
    assert session.snapshot.notice == ""
    await session.leave()


async def test_a_503_with_retry_after_is_retried_and_a_429_without_one_after_5_s(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=503,
                            headers={"Retry-After": "1"})
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    await session.leave()
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=429)
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    assert "The meeting service is busy — trying again in 5 s…" in watch.notices
    await session.leave()


async def test_a_long_retry_after_is_capped_and_the_wait_can_be_cancelled(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=429,
                            headers={"Retry-After": "3600"})
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    joining = asyncio.create_task(session.join("meet.open"))
    busy = await watch.until(lambda s: "busy" in s.notice, what="the busy notice")
    assert busy.notice == "The meeting service is busy — trying again in 30 s…"
    assert busy.state is S.CONNECTING
    started = time.monotonic()
    await session.cancel()
    await asyncio.wait_for(joining, 10)
    assert time.monotonic() - started < 5 and session.snapshot.state is S.IDLE


async def test_a_node_busy_for_longer_than_the_bound_ends_the_join(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    settings = dataclasses.replace(sim_settings, reconnect_give_up_seconds=5.0)
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=429,
                            count=100, headers={"Retry-After": "2"})
    session = ConferenceSession(settings)
    await session.join("meet.open")
    error = session.snapshot.error
    assert error is not None and error.code is ErrorCode.SERVICE_UNAVAILABLE
    assert error.message == "The meeting service is busy. Try again in a moment."
    await session.leave()


async def test_the_client_reads_429_as_busy_with_its_retry_after(
    simulator: SimulatorThread,
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=429,
                            headers={"Retry-After": "7"})
    with (InfinityClient(simulator.url, verify=str(simulator.ca_bundle)) as client,
          pytest.raises(ServiceUnavailable) as raised):
        await asyncio.to_thread(client.request_token, "meet.open", "Room")
    assert raised.value.status == 429 and raised.value.retry_after == 7.0


# ------------------------------------------------------------ `pexip-kiosk call`


def test_call_seconds_is_honoured_during_a_flood_of_200000_events(
    simulator: SimulatorThread, tmp_path: Path
) -> None:
    stay = 5.0
    args = ["--node", simulator.url, "--ca-bundle", str(simulator.ca_bundle),
            "--alias", "meet.open", "--no-media", "--seconds", str(stay)]
    with LiveCall(tmp_path, *args) as call:
        call.wait_state("CONNECTED", timeout=30)
        flooded = time.monotonic()
        simulator.control.inject_fault("events", flood_events=200_000)
        code, summary = call.finish(timeout=90)
        ended = time.monotonic()
    assert code == 0, call.stderr
    # The stay ended when it should, the flood notwithstanding (loose: a loaded machine).
    assert summary["timings"]["total_s"] < stay + 20
    assert ended - flooded < stay + 25
    assert summary["states"] == ["CONNECTING", "CONNECTED", "DISCONNECTING", "IDLE"]
