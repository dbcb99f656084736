"""The outgoing video stays within bandwidth_out: a real VP8 encoder on real frames."""

from __future__ import annotations

from fractions import Fraction

import pytest
from aiortc.codecs.vpx import Vp8Encoder
from av import VideoFrame

from kiosk.media.bitrate_cap import (
    AUDIO_RESERVE_KBPS,
    VIDEO_HEADER_SHARE,
    CappedEncoder,
    video_bitrate_cap_bps,
)
from kiosk.media.test_pattern import TestPatternTrack


class FakeClock:
    """Simulated time, so a 12 s encode runs as fast as the CPU allows."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def pattern_frames(count: int) -> list[VideoFrame]:
    track = TestPatternTrack(640, 360, 30, "Cap test")
    graph = track._graph  # the frames themselves, without real-time pacing
    assert graph is not None
    frames = []
    for index in range(count):
        frame = graph.vpull()
        frame.pts, frame.time_base = index * 3000, Fraction(1, 90000)
        frames.append(frame)
    track.stop()
    return frames


@pytest.mark.parametrize("cap_kbps", [200, 400])
def test_output_stays_within_the_cap(cap_kbps: int) -> None:
    clock = FakeClock()
    encoder = CappedEncoder(Vp8Encoder(), cap_kbps * 1000, clock=clock)
    frames = pattern_frames(360)  # 12 s at 30 fps
    bits_per_second: list[int] = [0] * 12
    sent = 0
    for index, frame in enumerate(frames):
        payloads, _ = encoder.encode(frame)
        bits_per_second[index // 30] += 8 * sum(len(p) for p in payloads)
        sent += bool(payloads)
        clock.now += 1 / 30
    # After the control loop settled, every second is within the cap plus the burst allowance.
    assert max(bits_per_second[6:]) <= cap_kbps * 1000 * 1.3
    assert sum(bits_per_second[6:]) / 6 <= cap_kbps * 1000 * 1.05
    # And the picture still moves: most frames are sent, not skipped.
    assert sent >= 360 * 0.5


def test_remb_cannot_raise_the_encoder_above_the_cap() -> None:
    inner = Vp8Encoder()
    encoder = CappedEncoder(inner, 300_000)
    encoder.target_bitrate = 1_500_000  # what aiortc does on a REMB
    assert encoder.target_bitrate == 300_000
    assert inner.target_bitrate <= 300_000
    encoder.target_bitrate = 280_000  # a lower estimate is followed
    assert encoder.target_bitrate == 280_000


def test_forced_keyframes_are_never_skipped() -> None:
    clock = FakeClock()
    encoder = CappedEncoder(Vp8Encoder(), 10_000, clock=clock, burst_seconds=0.25)
    frames = pattern_frames(4)
    encoder.encode(frames[0])  # the first keyframe uses up the budget
    payloads, _ = encoder.encode(frames[1])
    assert payloads == [] and encoder.skipped_frames == 1
    payloads, _ = encoder.encode(frames[2], force_keyframe=True)
    assert payloads


def test_cap_from_bandwidth_out_leaves_room_for_audio() -> None:
    assert video_bitrate_cap_bps(None) is None
    assert video_bitrate_cap_bps(0) is None
    assert video_bitrate_cap_bps(1280) == int(
        (1280 - AUDIO_RESERVE_KBPS) * 1000 * (1 - VIDEO_HEADER_SHARE)
    )
    assert video_bitrate_cap_bps(100) == 0
