"""Encoder cost: CPU per frame and bitrate of aiortc's own encoders vs the kiosk's tuned ones.

Encodes the same frames (FFmpeg's `testsrc2`: detail and motion; 1280x720 by
default) with aiortc's Vp8Encoder / H264Encoder (what the kiosk used before) and
with the kiosk's `FrameEncoder` (libvpx and libx264 as `video_encoder_settings`
sets them up), at the bitrate the kiosk aims at under the simulator's 1280 kbit/s
budget. Runs are interleaved (`--runs`, default 3) so a busy machine hurts all
variants alike; CPU is the process's user+system time over the encode calls
only (every encoder thread counted). Prints one JSON object:

    .venv/bin/python bench/encoder_cost.py [--size 1280x720] [--frames 150] [--runs 3]

Per variant: cpu_ms_per_frame (min/median/max), kbps (output bitrate at 30 fps),
first_second_kbit and keyframe_kbit (the opening keyframe's size).

Every run gets the frames as the source made them: FFmpeg's lavfi sources (the
`test` camera) and MJPEG decoding (a USB camera) mark every frame as intra
(`pict_type` I), and aiortc's VP8 encoder keeps that mark, so it sent every such
frame as a keyframe; `vp8_aiortc_inter` is aiortc's VP8 with the mark cleared,
to tell that apart from the tuning.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import av.filter  # noqa: E402
from aiortc.codecs.h264 import H264Encoder  # noqa: E402
from aiortc.codecs.vpx import Vp8Encoder  # noqa: E402
from av import VideoFrame  # noqa: E402
from av.video.frame import PictureType  # noqa: E402

from kiosk.media.bitrate_cap import encoder_bitrate, video_bitrate_cap_bps  # noqa: E402
from kiosk.media.frame_encoder import FrameEncoder  # noqa: E402
from kiosk.media.video_encoder_settings import EncoderKind  # noqa: E402

FPS = 30
BANDWIDTH_OUT_KBPS = 1280  # the simulator's bandwidth_out

Encode = Callable[[VideoFrame, bool], int]  # frame, keyframe -> bytes out


def frames(width: int, height: int, count: int) -> list[VideoFrame]:
    """`count` testsrc2 frames, yuv420p, pts on the 90 kHz clock."""
    graph = av.filter.Graph()
    source = graph.add("testsrc2", f"size={width}x{height}:rate={FPS}")
    convert = graph.add("format", "pix_fmts=yuv420p")
    sink = graph.add("buffersink")
    source.link_to(convert)
    convert.link_to(sink)
    graph.configure()
    made = []
    for index in range(count):
        frame = graph.vpull()
        frame.pts, frame.time_base = index * 90000 // FPS, Fraction(1, 90000)
        made.append(frame)
    return made


def aiortc_variant(encoder_class: type, bitrate: int) -> Callable[[], Encode]:
    def make() -> Encode:
        encoder = encoder_class()
        encoder.target_bitrate = bitrate

        def encode(frame: VideoFrame, keyframe: bool) -> int:
            payloads, _ = encoder.encode(frame, keyframe)
            return sum(len(p) for p in payloads)

        return encode

    return make


def kiosk_variant(kind: EncoderKind, bitrate: int) -> Callable[[], Encode]:
    def make() -> Encode:
        encoder = FrameEncoder(kind, FPS, os.cpu_count() or 1)

        def encode(frame: VideoFrame, keyframe: bool) -> int:
            packets = encoder.encode(frame, frame.width, frame.height, bitrate, keyframe)
            return sum(p.size for p in packets)

        return encode

    return make


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_once(make: Callable[[], Encode], pictures: list[VideoFrame],
             picture_type: PictureType | None) -> dict[str, float]:
    for frame in pictures:  # encoders mark the frames they get: start each run alike
        frame.pict_type = picture_type if picture_type is not None else PictureType.NONE
    encode = make()
    sizes = []
    started = cpu_seconds()
    for index, frame in enumerate(pictures):
        sizes.append(encode(frame, index == 0))
    cpu = cpu_seconds() - started
    return {
        "cpu_ms_per_frame": 1000 * cpu / len(pictures),
        "kbps": 8 * sum(sizes) / (len(pictures) / FPS) / 1000,
        "first_second_kbit": 8 * sum(sizes[:FPS]) / 1000,
        "keyframe_kbit": 8 * sizes[0] / 1000,
    }


def spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2),
            "max": round(max(values), 2)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.lower().split("x"))
    bitrate = encoder_bitrate(video_bitrate_cap_bps(BANDWIDTH_OUT_KBPS), None)
    pictures = frames(width, height, args.frames)
    as_made = pictures[0].pict_type  # lavfi: I
    variants: dict[str, tuple[Callable[[], Encode], PictureType | None]] = {
        "vp8_aiortc": (aiortc_variant(Vp8Encoder, bitrate), as_made),
        "vp8_aiortc_inter": (aiortc_variant(Vp8Encoder, bitrate), None),
        "vp8_kiosk": (kiosk_variant(EncoderKind.VP8_SOFTWARE, bitrate), as_made),
        "h264_aiortc": (aiortc_variant(H264Encoder, bitrate), as_made),
        "h264_kiosk": (kiosk_variant(EncoderKind.H264_SOFTWARE, bitrate), as_made),
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    load_before = os.getloadavg()[0]
    for _ in range(args.runs):
        for name, (make, picture_type) in variants.items():  # interleaved: load hits all alike
            runs[name].append(run_once(make, pictures, picture_type))
    result: dict[str, Any] = {
        "benchmark": "encoder_cost",
        "size": f"{width}x{height}",
        "frames": args.frames,
        "runs": args.runs,
        "target_kbps": bitrate // 1000,
        "source_picture_type": str(as_made),
        "cpus": os.cpu_count(),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    for name, measured in runs.items():
        result[name] = {key: spread([m[key] for m in measured]) for key in measured[0]}
    for codec in ("vp8", "h264"):
        before = result[f"{codec}_aiortc"]["cpu_ms_per_frame"]["median"]
        after = result[f"{codec}_kiosk"]["cpu_ms_per_frame"]["median"]
        result[f"{codec}_cpu_ratio_kiosk_to_aiortc"] = round(after / before, 2)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
