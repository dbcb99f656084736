"""How each video encoder is set up for real-time calls on a small ARM board.

The numbers follow libwebrtc's choices for phones and small boards where they
apply, and were measured with `bench/encoder_cost.py` (1280x720, 1 Mbit/s):

- VP8 (libvpx): realtime deadline, cpu-used -12 at VGA and above (libwebrtc's ARM
  setting; -6, aiortc's, costs ~1.6x the CPU for the same bitrate), -10/-8 below;
  the denoiser off (it costs a fifth of the encode); CBR with libwebrtc's buffer
  sizes; a keyframe at most 9x an average frame (max-intra-rate 900 %), so the
  opening keyframe does not blow the bitrate cap; a second thread only above VGA
  on 3+ cores (a thread costs ~30 % more CPU in total: on 2 cores it only adds load).
- H.264 (libx264): preset superfast (aiortc's default, medium, costs ~4x), tune
  zerolatency (no lookahead, no B-frames), constrained baseline level 3.1 (what
  the offer's profile-level-id promises), VBV of one second so the output stays at
  the target, forced keyframes as IDR.
- H.264 on a V4L2 memory-to-memory encoder (Pi 4 `h264_v4l2m2m`): yuv420p in,
  constrained baseline, the target bitrate, a GOP of `M2M_IDR_SECONDS` (the track
  also forces an IDR that often, since drivers differ in what the GOP means).

Keyframes otherwise come only on request (the far end's PLI/FIR) or when an
encoder is re-created: `KEYFRAME_INTERVAL_FRAMES` is libwebrtc's 3000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

KEYFRAME_INTERVAL_FRAMES = 3000
M2M_IDR_SECONDS = 10.0
VP8_QP_RANGE = (2, 56)  # libwebrtc's rc_min/max_quantizer
VP8_MAX_INTRA_PERCENT = 900  # 0.5 * 600 ms optimal buffer * 30 fps / 10, libwebrtc's formula
X264_PRESET = "superfast"
H264_PROFILE = "Constrained Baseline"
H264_LEVEL = "31"
VIDEO_TIME_BASE = Fraction(1, 90000)  # the frames' pts are on the RTP video clock


class EncoderKind(Enum):
    """Which implementation encodes: libvpx / libx264 in software, or the V4L2 M2M device."""

    VP8_SOFTWARE = "libvpx"
    H264_SOFTWARE = "libx264"
    H264_V4L2M2M = "h264_v4l2m2m"


@dataclass(frozen=True)
class EncoderSetup:
    """Everything needed to open one PyAV encoder context."""

    codec_name: str
    width: int
    height: int
    bitrate: int
    fps: int
    threads: int
    gop_size: int
    options: dict[str, str] = field(default_factory=dict)
    profile: str | None = None
    qp_range: tuple[int, int] | None = None
    global_header: bool = False  # parameter sets only in the context's extradata

    @property
    def time_base(self) -> Fraction:
        """The frames' and packets' time base."""
        return VIDEO_TIME_BASE


def encoder_threads(width: int, height: int, cores: int) -> int:
    """libwebrtc's thread count for a software encoder of this size on `cores` CPUs."""
    pixels = width * height
    if pixels >= 1920 * 1080 and cores > 8:
        return 8
    if pixels > 1280 * 960 and cores >= 6:
        return 3
    if pixels > 640 * 480 and cores >= 3:
        return 2
    return 1


def vp8_cpu_used(width: int, height: int, cores: int) -> int:
    """libvpx's speed (-16 fastest .. 0 slowest for realtime), as libwebrtc sets it on ARM."""
    pixels = width * height
    if cores <= 3 or pixels > 640 * 480:
        return -12
    if pixels > 352 * 288:
        return -10
    return -8


def encoder_setup(
    kind: EncoderKind, width: int, height: int, bitrate: int, fps: int, cores: int
) -> EncoderSetup:
    """The setup of `kind` for frames of `width`x`height` at `bitrate` bit/s."""
    threads = encoder_threads(width, height, cores)
    if kind is EncoderKind.VP8_SOFTWARE:
        return EncoderSetup(
            codec_name=kind.value, width=width, height=height, bitrate=bitrate, fps=fps,
            threads=threads, gop_size=KEYFRAME_INTERVAL_FRAMES, qp_range=VP8_QP_RANGE,
            options={
                "deadline": "realtime",
                "cpu-used": str(vp8_cpu_used(width, height, cores)),
                "lag-in-frames": "0",
                "noise-sensitivity": "0",
                "static-thresh": "1",
                "partitions": "0",  # one token partition
                "error-resilient": "0",
                # CBR (minrate = maxrate = bitrate) with libwebrtc's buffer: 1000 ms, 500
                # ms initially full; undershoot freely, overshoot at most 15 %.
                "minrate": str(bitrate),
                "maxrate": str(bitrate),
                "bufsize": str(bitrate),
                "rc_init_occupancy": str(bitrate // 2),
                "undershoot-pct": "100",
                "overshoot-pct": "15",
                "max-intra-rate": str(VP8_MAX_INTRA_PERCENT),
            },
        )
    if kind is EncoderKind.H264_SOFTWARE:
        return EncoderSetup(
            codec_name=kind.value, width=width, height=height, bitrate=bitrate, fps=fps,
            threads=threads, gop_size=KEYFRAME_INTERVAL_FRAMES, profile=H264_PROFILE,
            options={
                "preset": X264_PRESET,
                "tune": "zerolatency",
                "level": H264_LEVEL,
                "forced-idr": "1",
                "maxrate": str(bitrate),
                "bufsize": str(bitrate),
            },
        )
    return EncoderSetup(
        codec_name=kind.value, width=width, height=height, bitrate=bitrate, fps=fps,
        threads=1, gop_size=max(1, round(fps * M2M_IDR_SECONDS)), profile=H264_PROFILE,
    )
