"""The simulator's `meeting` far end: a pre-encoded testsrc2 picture at a real call's bit rate,
sent as packets in the negotiated codec (VP8 or H.264) and decoded by the kiosk."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.far_end_video import FarEndPicture, FarEndVideo
from kiosk.simulator.node import BANDWIDTH_KBPS

pytestmark = pytest.mark.timeout(120)


def test_far_end_video_setting_text() -> None:
    assert FarEndVideo.parse("pattern") == FarEndVideo()
    meeting = FarEndVideo.parse("meeting")
    assert (meeting.picture, meeting.width, meeting.height, meeting.fps) == (
        FarEndPicture.MEETING, 1280, 720, 30)
    assert meeting.bitrate_kbps is None  # the video share of bandwidth_in
    assert meeting.clip_spec("VP8", BANDWIDTH_KBPS).bitrate_kbps >= 1000
    big = FarEndVideo.parse("Meeting:1920x1080@25:2500k", clip_dir=Path("/c"))
    assert (big.width, big.height, big.fps, big.bitrate_kbps, big.clip_dir) == (
        1920, 1080, 25, 2500, Path("/c"))
    assert FarEndVideo.parse(big.describe()) == dataclasses.replace(big, clip_dir=None)
    assert FarEndVideo.parse("pattern:1280x720").width == 1280
    for bad in ("movie", "meeting:big", "meeting:1281x720", "meeting@0", ""):
        with pytest.raises(ValueError):
            FarEndVideo.parse(bad)


def test_sim_command_refuses_a_bad_far_end_video() -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk.simulator.main", "--far-end-video",
                           "movie"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "pattern or meeting" in done.stderr


@pytest.fixture(scope="module")
def meeting_simulator(tmp_path_factory: pytest.TempPathFactory) -> SimulatorThread:
    # A small meeting picture keeps the test quick; benches use the 1280x720 default.
    video = FarEndVideo.meeting(320, 180, fps=30, bitrate_kbps=400,
                                clip_dir=tmp_path_factory.mktemp("clips"))
    with SimulatorThread(far_end_video=video) as simulator:
        yield simulator


@pytest.fixture
async def sessions() -> AsyncIterator[list[ConferenceSession]]:
    opened: list[ConferenceSession] = []
    yield opened
    for session in opened:
        await session.leave()


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_kiosk_decodes_the_meeting_picture_at_its_rate_and_bit_rate(
    meeting_simulator: SimulatorThread, sessions: list[ConferenceSession], codec: str
) -> None:
    settings = Settings(node=meeting_simulator.url, ca_bundle=meeting_simulator.ca_bundle,
                        display_name=f"Meeting {codec}", camera="test", camera_size=(320, 180),
                        microphone="test", speaker="test", video_codecs=(codec,))
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    sessions.append(session)
    await session.join("meet.open")
    assert session.snapshot.state is SessionState.CONNECTED
    media = session.media_call
    assert media is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while (await media.stats()).frames_received < 5:
        assert loop.time() < deadline, "no meeting picture"
        await asyncio.sleep(0.1)
    before = await media.stats()
    started = loop.time()
    await asyncio.sleep(3.0)
    after = await media.stats()
    elapsed = loop.time() - started
    assert after.codec == codec
    assert after.resolution_received == (320, 180)
    fps = (after.frames_received - before.frames_received) / elapsed
    assert fps >= 20, fps  # 30 fps sent; the margin is for a loaded machine
    # The pre-encoded 400 kbit/s video plus the far end's audio and packet headers.
    assert 300 <= after.bitrate_in_kbps <= 700, after.bitrate_in_kbps
    room = await asyncio.to_thread(meeting_simulator.control.room, "meet.open")
    call = next(p for p in room["participants"]
                if p["display_name"] == f"Meeting {codec}")["calls"][-1]
    assert call["media"]["video_frames_sent"] >= after.frames_received
    assert call["media"]["video_frames_received"] > 0  # the kiosk's picture still arrives
