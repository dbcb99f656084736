"""The `file:` camera (a recorded MJPEG or YUYV stream, looped at its frame rate), the clips
it plays, and the keyframe flag such frames carry into the encoder."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import av
import pytest
from aiortc.codecs.vpx import Vp8Encoder, VpxPayloadDescriptor
from aiortc.mediastreams import MediaStreamError
from av.video.frame import PictureType

from kiosk.config import Settings
from kiosk.media.camera_source import open_camera
from kiosk.media.file_camera import FileCameraTrack, file_camera_path
from kiosk.media.frame_mailbox import FrameMailbox
from kiosk.media.outgoing_video import OutgoingVideoTrack
from kiosk.session_state import DeviceState
from kiosk.simulator.recorded_clips import ClipKind, ClipPattern, ClipSpec, ensure_clip, main

SMALL = {"width": 320, "height": 180, "fps": 20, "seconds": 0.5}


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


def test_file_camera_setting_names_a_path() -> None:
    assert file_camera_path("file:/srv/clip.mkv") == Path("/srv/clip.mkv")
    assert file_camera_path("FILE: ~/clip.mkv") == Path("~/clip.mkv").expanduser()
    assert file_camera_path("/dev/video0") is None and file_camera_path("test") is None


@pytest.mark.parametrize("kind", [ClipKind.MJPEG, ClipKind.YUYV])
async def test_recorded_camera_plays_in_a_loop_at_its_frame_rate(
    clip_dir: Path, kind: ClipKind
) -> None:
    clip = ensure_clip(ClipSpec(kind, **SMALL), clip_dir)  # type: ignore[arg-type]
    opened = open_camera(Settings(camera=f"file:{clip}", camera_fps=5))
    assert opened.status.state is DeviceState.ACTIVE, opened.status
    track = opened.track
    assert isinstance(track, FileCameraTrack)
    assert track.fps == 20  # the file's own rate, not KIOSK_CAMERA_FPS
    try:
        started = time.monotonic()
        frames = [await track.recv() for _ in range(25)]  # 10 frames a pass: 2.5 passes
        elapsed = time.monotonic() - started
    finally:
        opened.stop()
    # Decoded as a webcam's frames are (4:2:2), at the file's size and pace, and looped.
    expected_format = "yuvj422p" if kind is ClipKind.MJPEG else "yuyv422"
    assert {(f.width, f.height, f.format.name) for f in frames} == {(320, 180, expected_format)}
    assert elapsed >= 24 / 20 * 0.9
    assert track.loops >= 2
    assert [f.pts for f in frames] == sorted({f.pts for f in frames})  # never back in time
    with pytest.raises(MediaStreamError):
        await track.recv()


@pytest.mark.parametrize(
    ("setting", "reason"),
    [("file:/no/such/clip.mkv", "does not exist"), ("file:{text}", "cannot be played")],
    ids=["missing", "not-a-video"],
)
def test_unplayable_camera_file_is_unavailable_with_the_reason(
    tmp_path: Path, setting: str, reason: str
) -> None:
    text = tmp_path / "notes.mkv"
    text.write_text("not a video\n")
    opened = open_camera(Settings(camera=setting.format(text=text)))
    assert opened.track is None
    assert opened.status.state is DeviceState.UNAVAILABLE
    assert reason in opened.status.reason


async def test_camera_frames_reach_the_vp8_encoder_as_delta_frames(clip_dir: Path) -> None:
    # MJPEG frames are flagged as keyframes; sent as they are, libvpx makes every frame a
    # keyframe. After the first, the encoder's frames must be interframes.
    clip = ensure_clip(ClipSpec(ClipKind.MJPEG, **SMALL), clip_dir)  # type: ignore[arg-type]
    source = open_camera(Settings(camera=f"file:{clip}")).track
    assert source is not None
    first = await source.recv()
    assert first.pict_type == PictureType.I
    outgoing = OutgoingVideoTrack(source, FrameMailbox(), on_lost=lambda _reason: None)
    encoder = Vp8Encoder()
    keyframes = []
    try:
        for _ in range(8):
            frame = await outgoing.recv()
            assert frame.pict_type == PictureType.NONE
            payloads, _ = encoder.encode(frame)
            descriptor, data = VpxPayloadDescriptor.parse(payloads[0])
            keyframes.append(data[0] & 1 == 0)  # VP8: bit 0 of the first byte is 0 on a keyframe
    finally:
        outgoing.stop()
    assert keyframes[0] and not any(keyframes[1:]), keyframes


def test_clips_are_made_once_and_named_by_every_parameter(clip_dir: Path) -> None:
    spec = ClipSpec(ClipKind.Y4M, 64, 36, fps=10, seconds=0.3, pattern=ClipPattern.TEST_CAMERA)
    path = ensure_clip(spec, clip_dir)
    assert path.name == "test-camera-y4m-64x36-10fps-0.3s-v1.y4m"
    made = path.stat().st_mtime_ns
    assert ensure_clip(spec, clip_dir).stat().st_mtime_ns == made  # cached, not made again
    with av.open(str(path)) as container:
        assert len(list(container.decode(video=0))) == 3
    assert not [p for p in os.listdir(clip_dir) if p.startswith(".making-")]


@pytest.mark.parametrize("kind", [ClipKind.VP8, ClipKind.H264])
def test_encoded_clips_have_keyframes_every_two_seconds_and_the_bit_rate(
    clip_dir: Path, kind: ClipKind
) -> None:
    spec = ClipSpec(kind, 320, 180, fps=10, seconds=4, bitrate_kbps=300)
    with av.open(str(ensure_clip(spec, clip_dir))) as container:
        packets = [p for p in container.demux(video=0) if p.size]
    assert len(packets) == 40
    assert [i for i, p in enumerate(packets) if p.is_keyframe] == [0, 20]
    kbps = sum(p.size for p in packets) * 8 / 4 / 1000
    assert 150 < kbps < 450, kbps


def test_clip_command_prints_the_path(clip_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mjpeg", "--size", "64x36", "--fps", "5", "--seconds", "0.4",
                 "--dir", str(clip_dir)]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.parent == clip_dir and printed.is_file()
    with pytest.raises(SystemExit):
        main(["h264", "--dir", str(clip_dir)])  # an encoded clip needs --kbps


def test_bad_clip_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="even"):
        ClipSpec(ClipKind.MJPEG, 321, 180)
    with pytest.raises(ValueError, match="bit rate"):
        ClipSpec(ClipKind.VP8)


async def test_file_camera_stops_cleanly_while_playing(clip_dir: Path) -> None:
    clip = ensure_clip(ClipSpec(ClipKind.MJPEG, **SMALL), clip_dir)  # type: ignore[arg-type]
    opened = open_camera(Settings(camera=f"file:{clip}"))
    assert opened.track is not None
    await opened.track.recv()
    opened.stop()
    await asyncio.sleep(0.2)  # the worker thread notices and ends
    thread = opened.track._thread  # type: ignore[attr-defined]
    thread.join(timeout=2)
    assert not thread.is_alive()
