"""The outgoing video stays within bandwidth_out: the kiosk's real encoders on real frames."""

from __future__ import annotations

import os
from fractions import Fraction

import pytest
from av import VideoFrame

from kiosk.media.bitrate_cap import (
    AUDIO_RESERVE_KBPS,
    ENCODER_HEADROOM,
    VIDEO_HEADER_SHARE,
    BitrateBudget,
    TargetBitrate,
    encoder_bitrate,
    video_bitrate_cap_bps,
)
from kiosk.media.frame_encoder import FrameEncoder
from kiosk.media.test_pattern import TestPatternTrack
from kiosk.media.video_encoder_settings import EncoderKind


def pattern_frames(count: int, width: int = 640, height: int = 360) -> list[VideoFrame]:
    track = TestPatternTrack(width, height, 30, "Cap test")
    graph = track._graph  # the frames themselves, without real-time pacing
    assert graph is not None
    frames = []
    for index in range(count):
        frame = graph.vpull()
        frame.pts, frame.time_base = index * 3000, Fraction(1, 90000)
        frames.append(frame)
    track.stop()
    return frames


def send(kind: EncoderKind, frames: list[VideoFrame], cap_bps: int) -> tuple[list[int], int, int]:
    """Encode like the outgoing track does, at 30 fps of simulated time: bits per second,
    frames sent and frames skipped by the budget."""
    encoder = FrameEncoder(kind, fps=30, cores=os.cpu_count() or 1)
    now = 100.0
    budget = BitrateBudget(cap_bps, now)
    seconds = [0] * (len(frames) // 30)
    sent = skipped = 0
    for index, frame in enumerate(frames):
        now = 100.0 + index / 30
        if budget.over(now):
            skipped += 1
            continue
        packets = encoder.encode(frame, frame.width, frame.height,
                                 encoder_bitrate(cap_bps, None), keyframe=index == 0)
        bits = 8 * sum(packet.size for packet in packets)
        budget.spend(bits, now)
        seconds[index // 30] += bits
        sent += bool(packets)
    return seconds, sent, skipped


@pytest.mark.parametrize("kind", [EncoderKind.VP8_SOFTWARE, EncoderKind.H264_SOFTWARE])
@pytest.mark.parametrize("cap_kbps", [300, 900])
def test_output_stays_within_the_cap_without_skipping_frames(
    kind: EncoderKind, cap_kbps: int
) -> None:
    seconds, sent, skipped = send(kind, pattern_frames(240), cap_kbps * 1000)  # 8 s
    # Every second, the first one with its keyframe included, is within the cap...
    assert max(seconds) <= cap_kbps * 1000 * 1.05, seconds
    assert sum(seconds) / len(seconds) <= cap_kbps * 1000
    # ...and nothing was skipped to get there: the far end gets the full frame rate.
    assert (sent, skipped) == (240, 0)


def test_the_first_second_of_a_720p_call_is_sent_in_full() -> None:
    cap = video_bitrate_cap_bps(1280)
    assert cap is not None
    seconds, sent, skipped = send(EncoderKind.VP8_SOFTWARE, pattern_frames(60, 1280, 720), cap)
    assert (sent, skipped) == (60, 0)  # 30 frames in the first second, keyframe and all
    assert seconds[0] <= cap * 1.05


def test_the_budget_skips_only_once_a_second_ahead() -> None:
    budget = BitrateBudget(100_000, now=0.0)  # 100 kbit/s, one second of burst
    budget.spend(150_000, 0.0)  # a big keyframe: 1.5 s of budget at once
    assert budget.over(0.0)  # 0.5 s beyond the burst: the next frames wait...
    assert budget.over(0.4)
    assert not budget.over(0.6)  # ...until the budget caught up
    budget.spend(5_000, 0.6)
    assert not budget.over(0.6)  # 0.95 s ahead: within the second of burst
    budget.spend(10_000, 0.6)
    assert budget.over(0.6)


def test_remb_cannot_raise_the_encoder_above_the_cap() -> None:
    assert encoder_bitrate(300_000, 1_500_000) == int(300_000 * ENCODER_HEADROOM)
    assert encoder_bitrate(300_000, 200_000) == int(200_000 * ENCODER_HEADROOM)  # followed
    assert encoder_bitrate(None, None) > 0  # no cap, no estimate yet: a sane start


def test_cap_from_bandwidth_out_leaves_room_for_audio() -> None:
    assert video_bitrate_cap_bps(None) is None
    assert video_bitrate_cap_bps(0) is None
    assert video_bitrate_cap_bps(1280) == int(
        (1280 - AUDIO_RESERVE_KBPS) * 1000 * (1 - VIDEO_HEADER_SHARE)
    )
    assert video_bitrate_cap_bps(100) == 0


def test_the_target_follows_the_estimate_only_on_real_changes() -> None:
    target = TargetBitrate(1_000_000, now=0.0)
    start = target.value
    assert start == int(1_000_000 * ENCODER_HEADROOM)
    assert target.update(None, 10.0) == start  # no estimate yet
    assert target.update(2_000_000, 10.0) == start  # above the cap: nothing to gain
    assert target.update(970_000, 10.5) == start  # 3 % lower: not worth a keyframe
    lower = target.update(500_000, 11.0)  # congestion: down at once
    assert lower == int(500_000 * ENCODER_HEADROOM)
    assert target.update(300_000, 11.5) == lower  # not again within a second
    assert target.update(700_000, 13.0) == lower  # up only after five quiet seconds
    assert target.update(700_000, 16.5) == int(700_000 * ENCODER_HEADROOM)
    assert target.changes == 2
