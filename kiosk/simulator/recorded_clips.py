"""Short recorded clips for benchmarks and tests, made with PyAV on first use and cached.

Nothing big is committed: every clip is rendered from an FFmpeg test source
(`testsrc2`: colour bars, moving shapes, a noise checker board and a counter; or
the kiosk's own `test` camera picture) and encoded the first time it is asked
for, then kept in a cache directory under a name that holds every parameter.

- `mjpeg`, `yuyv`: what a USB webcam delivers (MJPEG 4:2:2 or raw YUYV 4:2:2 in
  Matroska), for the `file:` camera (`kiosk.media.file_camera`).
- `y4m`: raw yuv420p for Chromium's `--use-file-for-fake-video-capture`.
- `vp8`, `h264`: pre-encoded far-end video at a fixed bit rate (IVF, Annex B),
  keyframes every `keyframe_seconds`, no B-frames, SPS/PPS with every IDR.

Command line (to try the `file:` camera by hand)::

    python -m kiosk.simulator.recorded_clips mjpeg --size 1280x720 --fps 30 --seconds 10
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from pathlib import Path

import av
import av.filter
from av.video.frame import PictureType

from kiosk.media.test_pattern import pattern_graph

CLIP_DIR_VARIABLE = "KIOSK_CLIP_DIR"
FORMAT_VERSION = 1  # part of every file name: a change of recipe makes new files
MJPEG_QUALITY = 3  # FFmpeg qscale (2 best .. 31 worst): ~100 KB per 720p frame, like a webcam


class ClipKind(Enum):
    """What a clip holds, and so its container."""

    MJPEG = "mjpeg"
    YUYV = "yuyv"
    Y4M = "y4m"
    VP8 = "vp8"
    H264 = "h264"


class ClipPattern(Enum):
    """The picture a clip shows."""

    TESTSRC2 = "testsrc2"
    TEST_CAMERA = "test-camera"  # the kiosk's `test` camera picture, without its caption


_EXTENSIONS = {ClipKind.MJPEG: "mkv", ClipKind.YUYV: "mkv", ClipKind.Y4M: "y4m",
               ClipKind.VP8: "ivf", ClipKind.H264: "h264"}


@dataclass(frozen=True)
class ClipSpec:
    """Everything that decides a clip's content (and so its cached file name)."""

    kind: ClipKind
    width: int = 1280
    height: int = 720
    fps: int = 30
    seconds: float = 10.0
    bitrate_kbps: int = 0  # vp8 and h264 only
    keyframe_seconds: float = 2.0  # vp8 and h264 only
    pattern: ClipPattern = ClipPattern.TESTSRC2

    def __post_init__(self) -> None:
        if self.width % 2 or self.height % 2 or self.width < 16 or self.height < 16:
            raise ValueError(f"{self.width}x{self.height} is not an even video size")
        if self.fps < 1 or self.seconds <= 0:
            raise ValueError("fps and seconds must be positive")
        if self.kind in (ClipKind.VP8, ClipKind.H264) and self.bitrate_kbps <= 0:
            raise ValueError(f"a {self.kind.value} clip needs a bit rate")

    @property
    def frames(self) -> int:
        """How many frames the clip has."""
        return max(1, round(self.seconds * self.fps))

    @property
    def file_name(self) -> str:
        """A name that changes whenever anything in the spec does."""
        encoded = ""
        if self.kind in (ClipKind.VP8, ClipKind.H264):
            encoded = f"-{self.bitrate_kbps}k-key{self.keyframe_seconds:g}s"
        return (f"{self.pattern.value}-{self.kind.value}-{self.width}x{self.height}-"
                f"{self.fps}fps-{self.seconds:g}s{encoded}-v{FORMAT_VERSION}."
                f"{_EXTENSIONS[self.kind]}")


def default_clip_dir() -> Path:
    """$KIOSK_CLIP_DIR, else $XDG_CACHE_HOME/pexip-kiosk/clips (~/.cache/... by default)."""
    configured = os.environ.get(CLIP_DIR_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(cache) / "pexip-kiosk" / "clips"


def ensure_clip(spec: ClipSpec, directory: Path | None = None) -> Path:
    """The clip's path in `directory` (default: `default_clip_dir()`), made if missing.

    Written to a temporary name first and renamed, so a clip being made by one
    process is never read half-written by another.
    """
    directory = default_clip_dir() if directory is None else directory
    path = directory / spec.file_name
    if path.is_file():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".making-", suffix=path.suffix, dir=directory)
    os.close(handle)
    try:
        make_clip(spec, Path(temporary))
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a cache is for every user
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return path


def _source(spec: ClipSpec) -> av.filter.Graph:
    if spec.pattern is ClipPattern.TEST_CAMERA:
        return pattern_graph(spec.width, spec.height, spec.fps)
    graph = av.filter.Graph()
    source = graph.add("testsrc2", f"size={spec.width}x{spec.height}:rate={spec.fps}")
    convert = graph.add("format", "pix_fmts=yuv420p")
    sink = graph.add("buffersink")
    source.link_to(convert)
    convert.link_to(sink)
    graph.configure()
    return graph


def _output(spec: ClipSpec, path: Path) -> tuple[av.container.OutputContainer, av.VideoStream]:
    rate = Fraction(spec.fps)
    if spec.kind is ClipKind.MJPEG:
        container = av.open(str(path), "w", format="matroska")
        stream = container.add_stream("mjpeg", rate=rate)
        stream.pix_fmt = "yuvj422p"  # what webcams send
        stream.codec_context.qmin = stream.codec_context.qmax = MJPEG_QUALITY
    elif spec.kind is ClipKind.YUYV:
        container = av.open(str(path), "w", format="matroska")
        stream = container.add_stream("rawvideo", rate=rate)
        stream.pix_fmt = "yuyv422"
    elif spec.kind is ClipKind.Y4M:
        container = av.open(str(path), "w", format="yuv4mpegpipe")
        stream = container.add_stream("wrapped_avframe", rate=rate)
        stream.pix_fmt = "yuv420p"
    elif spec.kind is ClipKind.VP8:
        container = av.open(str(path), "w", format="ivf")
        stream = container.add_stream("libvpx", rate=rate)
        stream.pix_fmt = "yuv420p"
        kbps = f"{spec.bitrate_kbps}k"
        stream.bit_rate = spec.bitrate_kbps * 1000
        stream.codec_context.gop_size = round(spec.keyframe_seconds * spec.fps)
        # CBR without alt-ref frames: one visible frame per packet, as a live encoder sends.
        stream.codec_context.options = {
            "deadline": "good", "cpu-used": "5", "lag-in-frames": "0", "auto-alt-ref": "0",
            "minrate": kbps, "maxrate": kbps, "bufsize": kbps, "undershoot-pct": "95",
            "keyint_min": str(stream.codec_context.gop_size),
            "overshoot-pct": "5",
        }
    else:
        container = av.open(str(path), "w", format="h264")
        stream = container.add_stream("libx264", rate=rate)
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = spec.bitrate_kbps * 1000
        keyint = round(spec.keyframe_seconds * spec.fps)
        # Baseline, no B-frames (decode order = display order), SPS/PPS with every IDR.
        stream.codec_context.options = {
            "preset": "medium", "tune": "zerolatency", "profile": "baseline",
            "x264-params": (f"keyint={keyint}:min-keyint={keyint}:scenecut=0:repeat-headers=1:"
                            f"vbv-maxrate={spec.bitrate_kbps}:vbv-bufsize={spec.bitrate_kbps}"),
        }
    stream.width, stream.height = spec.width, spec.height
    return container, stream


def make_clip(spec: ClipSpec, path: Path) -> None:
    """Render and encode the clip into `path` (overwritten)."""
    graph = _source(spec)
    container, stream = _output(spec, path)
    with container:
        for index in range(spec.frames):
            frame = graph.vpull()
            # Filter sources flag every frame as a keyframe; the encoder must choose.
            frame.pict_type = PictureType.NONE
            frame.pts = index
            frame.time_base = Fraction(1, spec.fps)
            if spec.kind in (ClipKind.MJPEG, ClipKind.YUYV):
                frame = frame.reformat(format=stream.pix_fmt)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 1280x720") from None
    return width, height


def main(argv: list[str] | None = None) -> int:
    """Make (or find) a clip and print its path."""
    parser = argparse.ArgumentParser(description="Make a cached test clip and print its path.")
    parser.add_argument("kind", choices=[kind.value for kind in ClipKind])
    parser.add_argument("--size", type=_size, default=(1280, 720))
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--kbps", type=int, default=0, help="bit rate of a vp8 or h264 clip")
    parser.add_argument("--pattern", choices=[p.value for p in ClipPattern],
                        default=ClipPattern.TESTSRC2.value)
    parser.add_argument("--dir", type=Path, default=None,
                        help=f"cache directory (default ${CLIP_DIR_VARIABLE} or ~/.cache)")
    args = parser.parse_args(argv)
    try:
        spec = ClipSpec(ClipKind(args.kind), *args.size, fps=args.fps, seconds=args.seconds,
                        bitrate_kbps=args.kbps, pattern=ClipPattern(args.pattern))
    except ValueError as exc:
        parser.error(str(exc))
    sys.stdout.write(f"{ensure_clip(spec, args.dir)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
