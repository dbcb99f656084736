"""The session with real aiortc media against the simulator's far end: set-up, one reconnect
after a lost call (mute states kept), and failures ending in MEDIA_FAILED."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.peer_call import AiortcMediaCall
from kiosk.session_state import DeviceState, ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread

S = SessionState


@pytest.fixture
def media_settings(sim_settings: Settings) -> Settings:
    return dataclasses.replace(sim_settings, camera="test", microphone="test", speaker="test",
                               ice_timeout_seconds=5.0)


def own_entry(simulator: SimulatorThread, alias: str = "meet.open") -> dict:
    return next(p for p in simulator.control.room(alias)["participants"]
                if p["display_name"] == "Test room")


async def frames_flowing(session: ConferenceSession, more_than: int = 5,
                         timeout: float = 10.0) -> int:
    media = session.media_call
    assert media is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (received := (await media.stats()).frames_received) <= more_than:
        assert loop.time() < deadline, "no remote video frames arrived"
        await asyncio.sleep(0.1)
    return received


async def media_session(media_settings: Settings) -> tuple[ConferenceSession, SessionWatch]:
    session = ConferenceSession(media_settings, media_factory=AiortcMediaFactory(media_settings))
    watch = SessionWatch(session)
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    return session, watch


async def test_media_call_is_set_up_and_closed_on_leave(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    session, _ = await media_session(media_settings)
    assert session.snapshot.camera.state is DeviceState.ACTIVE
    assert session.snapshot.microphone.state is DeviceState.ACTIVE
    await frames_flowing(session)
    call = (await asyncio.to_thread(own_entry, simulator))["calls"]
    assert [c["state"] for c in call] == ["active"]
    await session.leave()
    assert session.media_call is None
    assert session.snapshot.state is S.IDLE


async def test_lost_call_is_replaced_once_and_mute_survives(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    session, watch = await media_session(media_settings)
    await session.set_microphone_muted(True)
    await session.set_camera_muted(True)
    first = session.media_call
    uuid = (await asyncio.to_thread(own_entry, simulator))["uuid"]
    ended = await asyncio.to_thread(simulator.control.disconnect_call, "meet.open", uuid)
    assert len(ended) == 1
    await watch.state(S.RECONNECTING)
    reconnected = await watch.state(S.CONNECTED, timeout=10.0)
    assert reconnected.notice == ""
    second = session.media_call
    assert isinstance(second, AiortcMediaCall) and second is not first
    assert second.microphone_muted and second.camera_muted
    assert reconnected.microphone_muted and reconnected.camera_muted
    await frames_flowing(session)
    entry = await asyncio.to_thread(own_entry, simulator)
    assert [c["state"] for c in entry["calls"]] == ["disconnected", "active"]
    assert entry["is_muted"] == "YES" and entry["is_video_muted"] is True
    assert watch.states[-3:] == [S.CONNECTED, S.RECONNECTING, S.CONNECTED]
    await session.leave()


async def test_media_failure_after_it_was_up_reconnects(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    session, watch = await media_session(media_settings)
    first = session.media_call
    assert isinstance(first, AiortcMediaCall) and first.peer_connection is not None
    # The peer connection dies under the session (as on an ICE/DTLS failure).
    await first.peer_connection.close()
    await watch.state(S.RECONNECTING)
    await watch.state(S.CONNECTED, timeout=10.0)
    assert session.media_call is not first
    await frames_flowing(session)
    await session.leave()


async def test_reconnect_that_fails_ends_in_media_failed(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    session, watch = await media_session(media_settings)
    uuid = (await asyncio.to_thread(own_entry, simulator))["uuid"]
    await asyncio.to_thread(simulator.control.inject_fault, "/calls", status=502, count=3)
    await asyncio.to_thread(simulator.control.disconnect_call, "meet.open", uuid)
    ended = await watch.state(S.ERROR, timeout=10.0)
    assert ended.error is not None and ended.error.code is ErrorCode.MEDIA_FAILED
    assert ended.error.message == "The video call was lost and could not be restored."
    assert S.RECONNECTING in watch.states
    await session.leave()
    assert session.media_call is None


async def test_first_call_failure_is_media_failed_and_releases_the_token(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "/calls", status=500)
    session = ConferenceSession(media_settings, media_factory=AiortcMediaFactory(media_settings))
    await session.join("meet.open")
    error = session.snapshot.error
    assert session.snapshot.state is S.ERROR
    assert error is not None and error.code is ErrorCode.MEDIA_FAILED
    assert error.message == "The video call could not be set up."
    assert session.media_call is None
    await session.leave()
    room = await asyncio.to_thread(simulator.control.room, "meet.open")
    assert room["participants"] == []
    assert room["departed"][-1]["reason"] == "Released token"


async def test_dtmf_goes_on_the_call(simulator: SimulatorThread,
                                     media_settings: Settings) -> None:
    session, _ = await media_session(media_settings)
    await session.send_dtmf("5*a")
    dtmf = (await asyncio.to_thread(simulator.control.room, "meet.open"))["dtmf"]
    entry = await asyncio.to_thread(own_entry, simulator)
    assert [(d["digits"], d["call_uuid"]) for d in dtmf] == [
        ("5*A", entry["calls"][0]["call_uuid"])]
    await session.leave()


async def test_cancel_during_call_setup_closes_media_and_releases(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "/calls", delay=1.0)
    session = ConferenceSession(media_settings, media_factory=AiortcMediaFactory(media_settings))
    watch = SessionWatch(session)
    joining = asyncio.create_task(session.join("meet.open"))
    await watch.until(lambda s: s.role == "HOST", what="token")  # now in call set-up
    assert session.snapshot.state is S.CONNECTING
    started = asyncio.get_running_loop().time()
    await session.cancel()
    # Within the leave contract (about 5 s), whatever the half-built call was doing.
    assert asyncio.get_running_loop().time() - started < 5.0
    assert session.snapshot.state is S.IDLE
    assert session.media_call is None
    await asyncio.wait_for(joining, 5.0)
    assert S.CONNECTED not in watch.states
    room = await asyncio.to_thread(simulator.control.room, "meet.open")
    assert room["participants"] == []

