"""Cameras, microphones and speakers: what each setting opens, and what happens when one fails."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from kiosk.config import Settings
from kiosk.media import camera_source
from kiosk.media.camera_source import open_camera
from kiosk.media.frame_caption import FrameCaption
from kiosk.media.frame_mailbox import FrameMailbox
from kiosk.media.microphone_source import ToneTrack, open_microphone
from kiosk.media.outgoing_audio import OutgoingAudioTrack
from kiosk.media.outgoing_video import OutgoingVideoTrack
from kiosk.media.speaker_sink import BYTES_PER_SAMPLE, PlaybackBuffer, SpeakerSink
from kiosk.media.test_pattern import TestPatternTrack
from kiosk.session_state import DeviceState

REPO = Path(__file__).resolve().parent.parent


# -- cameras ---------------------------------------------------------------------------


def test_camera_none_is_disabled() -> None:
    opened = open_camera(Settings(camera="none"))
    assert opened.track is None
    assert opened.status.state is DeviceState.DISABLED


def test_missing_camera_path_is_unavailable_with_the_reason() -> None:
    opened = open_camera(Settings(camera="/dev/video99"))
    assert opened.track is None
    assert opened.status.state is DeviceState.UNAVAILABLE
    assert "/dev/video99" in opened.status.reason
    assert "No such file" in opened.status.reason


def test_a_path_that_is_no_camera_is_unavailable(tmp_path: Path) -> None:
    not_a_camera = tmp_path / "video0"
    not_a_camera.write_bytes(b"\0" * 64)
    opened = open_camera(Settings(camera=str(not_a_camera)))
    assert opened.status.state is DeviceState.UNAVAILABLE
    assert str(not_a_camera) in opened.status.reason


def test_auto_without_any_camera_node_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(camera_source, "DEVICE_GLOB", str(tmp_path / "video*"))
    opened = open_camera(Settings(camera="auto"))
    assert opened.status.state is DeviceState.UNAVAILABLE
    assert opened.status.reason == "no camera connected"


def test_auto_tries_every_node_in_numeric_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("video10", "video2", "video0"):
        (tmp_path / name).write_bytes(b"")  # nodes that cannot capture (like UVC metadata nodes)
    monkeypatch.setattr(camera_source, "DEVICE_GLOB", str(tmp_path / "video*"))
    assert [Path(p).name for p in camera_source.candidate_devices()] == [
        "video0", "video2", "video10"]
    opened = open_camera(Settings(camera="auto"))
    assert opened.status.state is DeviceState.UNAVAILABLE
    assert opened.status.reason == "no working camera found"


def test_picamera_without_picamera2_is_unavailable() -> None:
    opened = open_camera(Settings(camera="picamera"))
    if importlib.util.find_spec("picamera2") is None:
        assert opened.status.state is DeviceState.UNAVAILABLE
        assert "not installed" in opened.status.reason
    else:  # on a Raspberry Pi: either the module's camera works or we say why not
        assert opened.status.state in (DeviceState.ACTIVE, DeviceState.UNAVAILABLE)
        opened.stop()


async def test_test_camera_is_a_moving_captioned_pattern_at_the_default_camera_size() -> None:
    opened = open_camera(Settings(camera="test", display_name="Board room"))
    assert opened.status.state is DeviceState.ACTIVE and opened.track is not None
    track = opened.track
    try:
        started = time.monotonic()
        frames = [await track.recv() for _ in range(16)]
        elapsed = time.monotonic() - started
    finally:
        opened.stop()
    # What a USB webcam captures by default (KIOSK_CAMERA_SIZE=1280x720), not a smaller picture.
    assert (frames[0].width, frames[0].height) == Settings().camera_size == (1280, 720)
    assert elapsed >= 15 / 30 * 0.9  # paced at 30 fps, not as fast as possible
    first = frames[0].to_ndarray(format="gray")[:500]
    last = frames[-1].to_ndarray(format="gray")[:500]
    assert np.abs(first.astype(int) - last.astype(int)).max() > 100  # the square moved
    assert isinstance(track, TestPatternTrack)
    assert track.caption_text.startswith("Board room  ")
    with pytest.raises(MediaStreamError):
        await track.recv()


def test_test_camera_uses_a_configured_size_and_rate() -> None:
    opened = open_camera(Settings(camera="test", camera_size=(320, 240), camera_fps=15))
    assert isinstance(opened.track, TestPatternTrack)

    async def read(track: MediaStreamTrack) -> tuple[list[VideoFrame], float]:
        started = time.monotonic()
        frames = [await track.recv() for _ in range(9)]
        return frames, time.monotonic() - started

    frames, elapsed = asyncio.run(read(opened.track))
    opened.stop()
    assert {(f.width, f.height) for f in frames} == {(320, 240)}
    assert elapsed >= 8 / 15 * 0.9  # 15 fps, not 30


def test_caption_shows_the_clock_and_shortens_a_long_name() -> None:
    now = [1_700_000_000.0]
    caption = FrameCaption("A very long room name " * 5, 640, 360, clock=lambda: now[0])
    frame = VideoFrame(640, 360, "yuv420p")
    for plane in frame.planes:
        np.frombuffer(plane, np.uint8)[:] = 128
    caption.stamp(frame)
    first_text = caption.text
    clock_text = time.strftime("%H:%M:%S", time.localtime(now[0]))
    assert first_text.endswith(clock_text) and "…" in first_text
    luma = frame.to_ndarray(format="gray")
    assert luma[-20:].min() < 60 and luma[-20:].max() > 200  # dark box, light text
    before = frame.to_ndarray(format="gray")[-30:].copy()
    now[0] += 1
    caption.stamp(frame)
    assert caption.text != first_text
    assert not np.array_equal(before, frame.to_ndarray(format="gray")[-30:])


# -- the outgoing video track -------------------------------------------------------------


class HangingCamera(MediaStreamTrack):
    """A camera that delivers `frames` pictures, then hangs (a wedged USB device)."""

    kind = "video"

    def __init__(self, frames: int) -> None:
        super().__init__()
        self._pattern = TestPatternTrack(160, 90, 30, "Room")
        self._left = frames

    async def recv(self) -> VideoFrame:
        if self._left <= 0:
            await asyncio.sleep(3600)
        self._left -= 1
        return await self._pattern.recv()


async def test_outgoing_video_feeds_the_self_view_and_sends_black_when_muted() -> None:
    self_view = FrameMailbox()
    lost: list[str] = []
    track = OutgoingVideoTrack(TestPatternTrack(320, 180, 30, "Room"), self_view, lost.append)
    try:
        frames = [await track.recv() for _ in range(3)]
        assert self_view.frame_count >= 2
        assert frames[0].to_ndarray(format="rgb24").max() > 200
        track.muted = True
        assert self_view.latest_rgba(32, 18) is None  # the self-view shows nothing while off
        black = await track.recv()
        assert (black.width, black.height) == (320, 180)
        assert black.to_ndarray(format="rgb24").max() <= 1
        track.muted = False
        assert (await track.recv()).to_ndarray(format="rgb24").max() > 200
        stamps = [f.pts for f in (*frames, black)]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        assert not lost
    finally:
        track.stop()


async def test_a_camera_that_dies_mid_call_turns_into_black_frames() -> None:
    self_view = FrameMailbox()
    lost: list[str] = []
    source = TestPatternTrack(320, 180, 30, "Room")
    track = OutgoingVideoTrack(source, self_view, lost.append)
    try:
        await track.recv()
        source.stop()  # unplugged: the source ends
        frames, stamps = [], []
        for _ in range(3):  # one black frame object is reused: read each pts as it comes
            frame = await track.recv()
            frames.append(frame)
            stamps.append(frame.pts)
        assert len(lost) == 1 and track.lost_reason
        assert all(f.to_ndarray(format="rgb24").max() <= 1 for f in frames)
        assert self_view.latest_rgba(32, 18) is None
        gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        assert all(gap >= 90000 / 5 * 0.8 for gap in gaps)  # a few black frames a second
    finally:
        track.stop()


@pytest.mark.parametrize("frames_before_hanging", [0, 3])
async def test_a_camera_that_stalls_is_reported_lost(frames_before_hanging: int) -> None:
    lost: list[str] = []
    track = OutgoingVideoTrack(HangingCamera(frames_before_hanging), FrameMailbox(), lost.append,
                               stall_seconds=0.2, first_frame_seconds=0.3)
    try:
        frames = [await track.recv() for _ in range(frames_before_hanging + 1)]
        assert lost == ["the camera stopped delivering pictures"]
        assert frames[-1].to_ndarray(format="rgb24").max() <= 1
        assert all(f.to_ndarray(format="rgb24").max() > 200 for f in frames[:-1])
    finally:
        track.stop()


# -- microphones --------------------------------------------------------------------------


async def test_microphone_settings() -> None:
    loop = asyncio.get_running_loop()
    assert open_microphone("none", loop).status.state is DeviceState.DISABLED
    missing = open_microphone("No such microphone 42", loop)
    assert missing.status.state is DeviceState.UNAVAILABLE and missing.track is None
    assert missing.status.reason  # PortAudio's reason (no device, or no PortAudio at all)
    tone = open_microphone("test", loop)
    assert tone.status.state is DeviceState.ACTIVE and isinstance(tone.track, ToneTrack)
    tone.stop()


async def test_outgoing_audio_mutes_to_zeros_and_survives_a_lost_microphone() -> None:
    lost: list[str] = []
    source = ToneTrack()
    track = OutgoingAudioTrack(source, lost.append)
    try:
        tone = await track.recv()
        assert np.abs(tone.to_ndarray()).max() > 5000
        track.muted = True
        assert np.abs((await track.recv()).to_ndarray()).max() == 0
        track.muted = False
        assert np.abs((await track.recv()).to_ndarray()).max() > 5000
        source.stop()  # the USB microphone is pulled out
        started = time.monotonic()
        silence = [await track.recv() for _ in range(5)]
        assert len(lost) == 1
        assert all(np.abs(f.to_ndarray()).max() == 0 for f in silence)
        assert time.monotonic() - started >= 0.06  # paced, not a flood
        stamps = [f.pts for f in silence]
        assert all(b - a == 960 for a, b in zip(stamps, stamps[1:], strict=False))
    finally:
        track.stop()


# -- speakers -------------------------------------------------------------------------------


def test_speaker_settings() -> None:
    assert SpeakerSink.open("none").status.state is DeviceState.DISABLED
    assert SpeakerSink.open("test").status.state is DeviceState.ACTIVE
    missing = SpeakerSink.open("No such speaker 42")
    assert missing.status.state is DeviceState.UNAVAILABLE and missing.status.reason


def test_playback_buffer_keeps_the_newest_sound_and_pads_with_silence() -> None:
    buffer = PlaybackBuffer(capacity=8 * BYTES_PER_SAMPLE)
    buffer.write(bytes(range(1, 1 + 12 * BYTES_PER_SAMPLE)))  # more than it holds
    out = bytearray(10 * BYTES_PER_SAMPLE)
    buffer.read_into(memoryview(out))
    # The oldest 4 samples were dropped; the last 2 are silence.
    assert out[: 8 * BYTES_PER_SAMPLE] == bytes(range(1 + 4 * BYTES_PER_SAMPLE,
                                                      1 + 12 * BYTES_PER_SAMPLE))
    assert out[8 * BYTES_PER_SAMPLE :] == bytes(2 * BYTES_PER_SAMPLE)
    assert buffer.underruns == 1


PORTAUDIO_SCRIPT = """
import asyncio, json, time
import numpy as np
from av import AudioFrame
from kiosk.media.microphone_source import open_microphone
from kiosk.media.speaker_sink import SpeakerSink

class Remote:
    kind = "audio"
    def __init__(self):
        self.sent = 0
    async def recv(self):
        await asyncio.sleep(0.02)
        self.sent += 1
        samples = np.full((1, 1920), 1000, np.int16)
        frame = AudioFrame.from_ndarray(samples, format="s16", layout="stereo")
        frame.sample_rate = 48000
        return frame

async def main():
    mic = open_microphone("kiosknull", asyncio.get_running_loop())
    frames = [await mic.track.recv() for _ in range(3)] if mic.track else []
    mic.stop()
    speaker = SpeakerSink.open("kiosknull")
    speaker.start(Remote())
    await asyncio.sleep(0.3)
    played = speaker.frames
    underruns = speaker._playback.underruns if speaker._playback else -1
    await speaker.stop()
    print(json.dumps({"mic": mic.status.state.value, "mic_frames": len(frames),
                      "mic_rate": frames[0].sample_rate if frames else 0,
                      "speaker": speaker.status.state.value, "played": played,
                      "underruns": underruns}))

asyncio.run(main())
"""


def test_real_portaudio_capture_and_playback_through_an_alsa_null_device(tmp_path: Path) -> None:
    """PortAudio and ALSA for real: a `null` PCM (no sound card here) named in ~/.asoundrc."""
    (tmp_path / ".asoundrc").write_text("pcm.kiosknull {\n    type null\n}\n")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", PORTAUDIO_SCRIPT], env=env, capture_output=True, text=True,
        timeout=60, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["mic"] == "active" and report["mic_frames"] == 3
    assert report["mic_rate"] == 48000
    assert report["speaker"] == "active" and report["played"] >= 5
    assert report["underruns"] >= 1  # the null device pulled more than was played: it ran
