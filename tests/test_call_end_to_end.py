"""End to end over loopback: `ConferenceSession` + `AiortcMediaFactory` against the simulator.

Real HTTPS to the simulated node, real WebRTC to its aiortc far end; media is
counted on both ends (the session's media stats and the far end's counters in
`GET /_sim/rooms/{alias}`). Related tests elsewhere: `test_conference_media.py`
(call set-up, the reconnect with mute states kept, failures of `calls`),
`test_media_call.py` (the media layer against a bare peer), and
`test_simulator_far_end.py` (the far end against a bare aiortc client).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.interface import MediaStats
from kiosk.session_state import DeviceState, ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread

pytestmark = pytest.mark.timeout(60)

S = SessionState
ROOM = "meet.open"
POLL_SECONDS = 0.1


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def media_settings(sim_settings: Settings) -> Settings:
    return dataclasses.replace(sim_settings, camera="test", microphone="test", speaker="test",
                               ice_timeout_seconds=5.0)


@pytest.fixture
async def sessions() -> AsyncIterator[list[ConferenceSession]]:
    """Sessions a test opens; every one is left at the end, whatever happened."""
    opened: list[ConferenceSession] = []
    yield opened
    for session in opened:
        await session.leave()


async def join(sessions: list[ConferenceSession], settings: Settings,
               alias: str = ROOM) -> tuple[ConferenceSession, SessionWatch]:
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    sessions.append(session)
    watch = SessionWatch(session)
    await session.join(alias)
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    return session, watch


async def room(simulator: SimulatorThread, alias: str = ROOM) -> dict[str, Any]:
    return await asyncio.to_thread(simulator.control.room, alias)


def entry_of(state: dict[str, Any], display_name: str) -> dict[str, Any]:
    return next(p for p in state["participants"] if p["display_name"] == display_name)


async def far_end(simulator: SimulatorThread, display_name: str = "Test room",
                  alias: str = ROOM) -> dict[str, Any]:
    """The simulator's record of the participant's newest call (state, counters)."""
    return entry_of(await room(simulator, alias), display_name)["calls"][-1]


async def far_end_until(simulator: SimulatorThread, predicate: Callable[[dict[str, Any]], bool],
                        what: str, timeout: float = 5.0, display_name: str = "Test room",
                        alias: str = ROOM) -> dict[str, Any]:
    """Poll the participant's newest call in the simulator until `predicate(call)` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        state = await room(simulator, alias)
        entries = [p for p in state["participants"] if p["display_name"] == display_name]
        call = entries[0]["calls"][-1] if entries and entries[0]["calls"] else None
        if call is not None and predicate(call):
            return call
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for the far end: {what}; now {call}")
        await asyncio.sleep(POLL_SECONDS)


async def kiosk_until(session: ConferenceSession, predicate: Callable[[MediaStats], bool],
                      what: str, timeout: float = 5.0) -> MediaStats:
    """Poll the session's media stats until `predicate(stats)` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        media = session.media_call
        assert media is not None, f"no media call while waiting for {what}"
        stats = await media.stats()
        if predicate(stats):
            return stats
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for the kiosk: {what}; now {stats}")
        await asyncio.sleep(POLL_SECONDS)


async def both_ends_count_more(session: ConferenceSession, simulator: SimulatorThread,
                               video: int = 10, audio: int = 10,
                               display_name: str = "Test room") -> None:
    """Video frames and audio packets go on arriving at the kiosk and at the far end."""
    kiosk = await session.media_call.stats()  # type: ignore[union-attr]
    remote = (await far_end(simulator, display_name))["media"]
    await kiosk_until(
        session,
        lambda s: s.frames_received >= kiosk.frames_received + video
        and s.audio_packets_received >= kiosk.audio_packets_received + audio,
        "more video and audio from the far end")
    await far_end_until(
        simulator,
        lambda c: c["media"]["video_frames_received"] >= remote["video_frames_received"] + video
        and c["media"]["audio_packets_received"] >= remote["audio_packets_received"] + audio,
        "more video and audio from the kiosk", display_name=display_name)


# --------------------------------------------------------------------------- tests


async def test_video_and_audio_flow_both_ways_for_five_seconds(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, watch = await join(sessions, media_settings)
    await kiosk_until(session, lambda s: s.frames_received > 0, "the first remote frame")
    loop = asyncio.get_running_loop()
    started = loop.time()
    kiosk_before = await session.media_call.stats()  # type: ignore[union-attr]
    remote_before = (await far_end(simulator))["media"]
    previous = (kiosk_before, remote_before)
    # Five one-second windows: in every one of them both ends got new video and audio.
    for _ in range(5):
        await asyncio.sleep(1.0)
        kiosk = await session.media_call.stats()  # type: ignore[union-attr]
        remote = (await far_end(simulator))["media"]
        assert kiosk.frames_received >= previous[0].frames_received + 5, kiosk
        assert kiosk.audio_packets_received >= previous[0].audio_packets_received + 25, kiosk
        assert remote["video_frames_received"] >= previous[1]["video_frames_received"] + 5
        assert remote["audio_packets_received"] >= previous[1]["audio_packets_received"] + 25
        previous = (kiosk, remote)
    assert loop.time() - started >= 5.0
    kiosk, remote = previous
    # Both sides send 30 fps from the first second on (150 frames in 5 s); the margin is
    # for a loaded CI machine.
    assert kiosk.frames_received - kiosk_before.frames_received >= 125
    assert remote["video_frames_received"] - remote_before["video_frames_received"] >= 125
    assert kiosk.frames_sent >= remote["video_frames_received"]
    assert kiosk.resolution_received == (640, 360)
    assert remote["video_resolution"] == [640, 360]
    assert remote["black_video_frames"] == 0 and remote["silent_audio_frames"] == 0
    assert kiosk.codec.upper().startswith("VP8")
    assert session.snapshot.state is S.CONNECTED
    assert S.RECONNECTING not in watch.states


async def test_microphone_mute_and_camera_off_reach_the_roster_and_the_far_end(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, _ = await join(sessions, media_settings)
    await far_end_until(simulator, lambda c: c["media"]["video_frames_received"] > 10,
                        "the first frames")
    await session.set_microphone_muted(True)
    await session.set_camera_muted(True)
    assert session.snapshot.microphone_muted and session.snapshot.camera_muted
    own = entry_of(await room(simulator), "Test room")
    assert own["is_muted"] == "YES" and own["is_video_muted"] is True
    # The far end keeps receiving, but black pictures and silent sound.
    muted = (await far_end(simulator))["media"]
    await far_end_until(
        simulator,
        lambda c: c["media"]["black_video_frames"] >= muted["black_video_frames"] + 20
        and c["media"]["silent_audio_frames"] >= muted["silent_audio_frames"] + 25,
        "black frames and silence")
    quiet = (await far_end(simulator))["media"]

    await session.set_microphone_muted(False)
    await session.set_camera_muted(False)
    own = entry_of(await room(simulator), "Test room")
    assert own["is_muted"] == "NO" and own["is_video_muted"] is False

    def picture_and_sound_again(call: dict[str, Any]) -> bool:
        media = call["media"]
        pictures = media["video_frames_received"] - media["black_video_frames"]
        sounds = media["audio_packets_received"] - media["silent_audio_frames"]
        return (pictures >= quiet["video_frames_received"] - quiet["black_video_frames"] + 20
                and sounds >= quiet["audio_packets_received"] - quiet["silent_audio_frames"] + 25)

    back = await far_end_until(simulator, picture_and_sound_again, "picture and sound again")
    # Once unmuted, the newest frames are not black any more (a few black ones may still be
    # in flight when the counters are read, never a whole second's worth).
    frames_then = back["media"]["video_frames_received"]
    settled = await far_end_until(
        simulator, lambda c: c["media"]["video_frames_received"] >= frames_then + 30,
        "another second of video")
    assert settled["media"]["black_video_frames"] - back["media"]["black_video_frames"] < 5


@pytest.mark.parametrize(
    ("camera", "state", "reason_mentions"),
    [("none", DeviceState.DISABLED, "turned off"),
     ("/dev/video99", DeviceState.UNAVAILABLE, "/dev/video99")],
    ids=["camera-none", "camera-missing-path"],
)
async def test_no_camera_gives_an_audio_only_call_that_stays_up(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession],
    camera: str, state: DeviceState, reason_mentions: str,
) -> None:
    settings = dataclasses.replace(media_settings, camera=camera)
    session, watch = await join(sessions, settings)
    snapshot = session.snapshot
    assert snapshot.camera.state is state, snapshot.camera
    assert reason_mentions in snapshot.camera.reason
    assert snapshot.microphone.state is DeviceState.ACTIVE
    started = asyncio.get_running_loop().time()
    await asyncio.sleep(3.0)
    # Still up after 3 s, never reconnected; sound both ways, the meeting's video still shown.
    assert session.snapshot.state is S.CONNECTED
    assert watch.states == [S.CONNECTING, S.CONNECTED]
    assert asyncio.get_running_loop().time() - started >= 3.0
    call = await far_end(simulator)
    assert call["state"] == "active" and call["media"]["connection_state"] == "connected"
    assert call["media"]["audio_packets_received"] >= 100
    assert call["media"]["video_frames_received"] == 0
    stats = await session.media_call.stats()  # type: ignore[union-attr]
    assert stats.frames_sent == 0 and stats.audio_packets_sent >= 100
    assert stats.audio_packets_received >= 100 and stats.frames_received >= 30
    await both_ends_count_more(session, simulator, video=0, audio=10)


async def test_far_end_that_never_answers_ice_fails_within_the_ice_timeout(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    settings = dataclasses.replace(media_settings, ice_timeout_seconds=2.0)
    await asyncio.to_thread(simulator.control.inject_fault, "/calls", ice_blackhole=True)
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    sessions.append(session)
    watch = SessionWatch(session)
    loop = asyncio.get_running_loop()
    started = loop.time()
    joining = asyncio.create_task(session.join(ROOM))
    # While the kiosk waits, its connectivity checks arrive at the black hole, unanswered.
    call = await far_end_until(
        simulator, lambda c: c["media"]["blackholed_datagrams"] > 0, "ICE checks", timeout=2.0)
    assert call["media"]["ice_blackhole"] is True
    assert call["media"]["video_frames_received"] == 0
    await asyncio.wait_for(joining, 5.0)
    elapsed = loop.time() - started
    snapshot = session.snapshot
    assert snapshot.state is S.ERROR, snapshot
    assert snapshot.error is not None and snapshot.error.code is ErrorCode.MEDIA_FAILED
    assert snapshot.error.message == "The video call could not be set up."
    # It waited for ICE for the configured 2 s, and not much longer.
    assert 2.0 <= elapsed < 4.0, elapsed
    assert S.CONNECTED not in watch.states
    assert session.media_call is None


async def test_server_call_disconnect_is_followed_by_exactly_one_new_call(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    # test_conference_media.py checks RECONNECTING -> CONNECTED and the mute states kept; this
    # one checks the far end of the new call gets media and no further reconnect follows.
    session, watch = await join(sessions, media_settings)
    first = session.media_call
    uuid = entry_of(await room(simulator), "Test room")["uuid"]
    assert len(await asyncio.to_thread(simulator.control.disconnect_call, ROOM, uuid)) == 1
    await watch.state(S.RECONNECTING)
    await watch.state(S.CONNECTED, timeout=10.0)
    assert session.media_call is not first
    await far_end_until(simulator, lambda c: c["media"]["video_frames_received"] > 10
                        and c["media"]["audio_packets_received"] > 10, "media on the new call")
    await both_ends_count_more(session, simulator)
    calls = entry_of(await room(simulator), "Test room")["calls"]
    assert [c["state"] for c in calls] == ["disconnected", "active"]
    assert calls[0]["media"]["connection_state"] == "closed"
    assert watch.states == [S.CONNECTING, S.CONNECTED, S.RECONNECTING, S.CONNECTED]


async def test_two_kiosks_in_one_room_see_each_other(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    first_settings = dataclasses.replace(media_settings, display_name="Room A")
    second_settings = dataclasses.replace(media_settings, display_name="Room B")
    (first, first_watch), (second, second_watch) = await asyncio.gather(
        join(sessions, first_settings), join(sessions, second_settings))
    await first_watch.until(lambda s: s.participant_count == 2, what="two in the roster")
    await second_watch.until(lambda s: s.participant_count == 2, what="two in the roster")
    state = await room(simulator)
    assert state["participant_count"] == 2
    assert sorted(p["display_name"] for p in state["participants"]) == ["Room A", "Room B"]
    for name, session in (("Room A", first), ("Room B", second)):
        entry = entry_of(state, name)
        assert [c["state"] for c in entry["calls"]] == ["active"]
        assert entry["has_media"] is True and entry["protocol"] == "webrtc"
        await both_ends_count_more(session, simulator, display_name=name)
    # One leaves: the other sees the roster shrink and stays in the call.
    await first.leave()
    await second_watch.until(lambda s: s.participant_count == 1, what="one left")
    assert second.snapshot.state is S.CONNECTED


async def test_server_offers_are_answered_and_media_keeps_flowing(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, watch = await join(sessions, media_settings)
    media = session.media_call
    await both_ends_count_more(session, simulator)
    uuid = entry_of(await room(simulator), "Test room")["uuid"]
    for number, event in enumerate(("new_offer", "update_sdp"), start=1):
        sent = await asyncio.to_thread(simulator.control.renegotiate, ROOM, uuid, event)
        call = await far_end_until(simulator, lambda c, n=number: c["server_offers_answered"] == n,
                                   f"the kiosk's answer to {event}")
        assert sent == {"call_uuid": call["call_uuid"], "event": event}
        assert call["server_offers"] == number and call["state"] == "active"
        await both_ends_count_more(session, simulator)
    # The same call throughout: renegotiated, never replaced.
    assert session.media_call is media
    assert session.snapshot.state is S.CONNECTED and S.RECONNECTING not in watch.states
    calls = entry_of(await room(simulator), "Test room")["calls"]
    assert len(calls) == 1 and calls[0]["media"]["connection_state"] == "connected"
