"""Token refresh: many cycles with 2-second tokens, failures, expiry, the refresh_token event."""

from __future__ import annotations

import asyncio
import time

from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.session_state import ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread

S = SessionState
SURVIVAL_SECONDS = 30.0  # the issue: "the session survives 30 s" on 2 s tokens


def settings_for(simulator: SimulatorThread) -> Settings:
    return Settings(node=simulator.url, ca_bundle=simulator.ca_bundle, display_name="Test room")


def own_entry(simulator: SimulatorThread) -> dict:
    return next(p for p in simulator.control.room("meet.open")["participants"]
                if p["display_name"] == "Test room")


async def test_session_survives_many_refreshes_and_uses_the_newest_token(
    short_token_simulator: SimulatorThread,
) -> None:
    sim = short_token_simulator
    session = ConferenceSession(settings_for(sim))
    watch = SessionWatch(session)
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    started = time.monotonic()
    dropped = False
    while (elapsed := time.monotonic() - started) < SURVIVAL_SECONDS:
        await asyncio.sleep(0.5)
        assert session.snapshot.state is S.CONNECTED, session.snapshot
        if elapsed > SURVIVAL_SECONDS / 2 and not dropped:
            # The stream must come back with a token minted long after the first one.
            await asyncio.to_thread(sim.control.inject_fault, "events", drop_events=True)
            dropped = True
    refreshes = session.snapshot.token_refreshes
    # expires 2 s -> a refresh every second.
    assert refreshes >= SURVIVAL_SECONDS * 0.8
    entry = await asyncio.to_thread(own_entry, sim)
    assert abs(entry["token_refreshes"] - refreshes) <= 1
    assert entry["event_streams"] == 1
    # A control request with the current token (the first one died ~28 s ago) works.
    await session.set_microphone_muted(True)
    assert session.snapshot.notice == ""
    assert (await asyncio.to_thread(own_entry, sim))["is_muted"] == "YES"
    assert S.ERROR not in watch.states
    await session.leave()
    departed = (await asyncio.to_thread(sim.control.room, "meet.open"))["departed"]
    assert departed[-1]["reason"] == "Released token"


async def test_refresh_retries_after_a_failure(short_token_simulator: SimulatorThread) -> None:
    sim = short_token_simulator
    session = ConferenceSession(settings_for(sim))
    watch = SessionWatch(session)
    await session.join("meet.open")
    await asyncio.to_thread(sim.control.inject_fault, "refresh_token", status=503, count=1)
    before = session.snapshot.token_refreshes
    # At most one refresh was in flight when the fault was armed; the next request fails,
    # so the second success from here on is a retry. Without retries the 2 s token dies.
    await watch.until(lambda s: s.token_refreshes >= before + 2, what="refresh after a failure")
    assert session.snapshot.state is S.CONNECTED
    assert S.ERROR not in watch.states
    await session.leave()


async def test_token_that_cannot_be_refreshed_ends_the_session(
    short_token_simulator: SimulatorThread,
) -> None:
    sim = short_token_simulator
    session = ConferenceSession(settings_for(sim))
    watch = SessionWatch(session)
    await session.join("meet.open")
    await asyncio.to_thread(sim.control.inject_fault, "refresh_token", status=503, count=100)
    ended = await watch.state(S.ERROR)
    assert ended.error is not None
    assert ended.error.code in (ErrorCode.TOKEN_EXPIRED, ErrorCode.DISCONNECTED_BY_NODE)
    assert ended.error.message == "The connection to the meeting timed out."
    await session.leave()
    assert session.snapshot.state is S.IDLE


async def test_refresh_token_event_refreshes_at_once(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join("meet.open")
    await watch.until(lambda s: s.participant_count == 1, what="roster")
    uuid = (await asyncio.to_thread(simulator.control.room, "meet.open"))["participants"][0]["uuid"]
    # Tokens last 120 s here: without the event the first refresh would come after 60 s.
    await asyncio.to_thread(simulator.control.request_refresh, "meet.open", uuid)
    await watch.until(lambda s: s.token_refreshes == 1, what="a refresh")
    await session.leave()
