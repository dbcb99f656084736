"""What the benches share: their common options, the meeting simulator, the camera clips."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e`
    sys.path.insert(0, str(REPO))

from kiosk.simulator.child_process import SimulatorProcess  # noqa: E402
from kiosk.simulator.far_end_video import CODEC_CLIPS, FarEndVideo  # noqa: E402
from kiosk.simulator.node import BANDWIDTH_KBPS  # noqa: E402
from kiosk.simulator.recorded_clips import (  # noqa: E402
    ClipKind,
    ClipSpec,
    default_clip_dir,
    ensure_clip,
)

CAMERA_CLIP_SECONDS = {ClipKind.MJPEG: 10.0, ClipKind.YUYV: 2.0}  # YUYV: 1.8 MB a 720p frame


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 1280x720") from None
    return width, height


def _codecs(text: str) -> list[str]:
    codecs = [c.strip().upper() for c in text.split(",") if c.strip()]
    if not codecs or any(c not in CODEC_CLIPS for c in codecs):
        raise argparse.ArgumentTypeError("codecs: VP8 and/or H264, comma separated")
    return codecs


def add_common_arguments(parser: argparse.ArgumentParser, seconds: float,
                         settle: float) -> None:
    """--codecs --size --fps --camera --far-end-video --runs --seconds --settle --quiet
    (check them with `parse_common`)."""
    parser.add_argument("--codecs", type=_codecs, default=["VP8", "H264"],
                        help="video codecs to measure, each in its own runs (default VP8,H264)")
    parser.add_argument("--size", type=_size, default=(1280, 720),
                        help="camera size the kiosk sends (default 1280x720)")
    parser.add_argument("--fps", type=int, default=30, help="camera frame rate (default 30)")
    parser.add_argument("--camera", default="test",
                        help="test (the test pattern, default), mjpeg or yuyv (a recorded "
                        "webcam stream at --size, decoded as a USB camera's), or file:PATH")
    parser.add_argument("--far-end-video", default="meeting",
                        help="what the simulator sends (default meeting: 1280x720@30 at "
                        "bandwidth_in); see `pexip-kiosk sim --help`")
    parser.add_argument("--runs", type=int, default=3, help="runs per contender (default 3)")
    parser.add_argument("--seconds", type=float, default=seconds,
                        help=f"measured window of each run (default {seconds:g})")
    parser.add_argument("--settle", type=float, default=settle,
                        help=f"seconds between ready and the window (default {settle:g})")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def parse_common(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse and check the options; `progress` writes a line on stderr (None with --quiet)."""
    args = parser.parse_args(argv)
    if args.runs < 1 or args.seconds <= 0 or args.settle < 0:
        parser.error("--runs must be >= 1, --seconds > 0, --settle >= 0")
    try:
        FarEndVideo.parse(args.far_end_video)
    except ValueError as exc:
        parser.error(str(exc))
    args.size_text = "x".join(map(str, args.size))
    args.progress = None if args.quiet else (lambda text: sys.stderr.write(f"[bench] {text}\n"))
    return args


def camera_setting(args: argparse.Namespace) -> str:
    """KIOSK_CAMERA for the kiosk under test; a recorded webcam clip is made if needed."""
    choice = args.camera.strip()
    if choice.lower() in ("mjpeg", "yuyv"):
        kind = ClipKind(choice.lower())
        width, height = args.size
        spec = ClipSpec(kind, width, height, args.fps, seconds=CAMERA_CLIP_SECONDS[kind])
        if args.progress:
            args.progress(f"camera clip {spec.file_name}")
        return f"file:{ensure_clip(spec)}"
    return choice


@contextmanager
def meeting_simulator(args: argparse.Namespace) -> Iterator[SimulatorProcess]:
    """The simulator in its own process, sending `--far-end-video` (clips made first)."""
    video = FarEndVideo.parse(args.far_end_video)
    for codec in CODEC_CLIPS:  # made here, with progress, rather than inside the child
        if video.picture.value == "meeting":
            spec = video.clip_spec(codec, BANDWIDTH_KBPS)
            if args.progress:
                args.progress(f"far-end clip {spec.file_name}")
            ensure_clip(spec, default_clip_dir())
    with SimulatorProcess(far_end_video=args.far_end_video,
                          clip_dir=default_clip_dir()) as simulator:
        yield simulator
