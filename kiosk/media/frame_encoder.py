"""One PyAV encoder context turning raw frames into packets, re-opened only when it must be.

The context is opened for a size and a bitrate; neither libvpx nor libx264 (as
FFmpeg wraps them) applies a new bitrate to an open context, so another size or
bitrate re-opens it (the first frame of a new context is a keyframe; the caller
changes the bitrate rarely, see `bitrate_cap.TargetBitrate`). Frames of another size or pixel format
are scaled and converted by one reused `VideoReformatter` (one SwsContext while
the sizes stay), never one set up per frame. Blocking: run `encode` in a worker
thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import av
from av import VideoFrame
from av.codec.context import Flags
from av.packet import Packet
from av.video.codeccontext import VideoCodecContext
from av.video.frame import PictureType
from av.video.reformatter import Interpolation, VideoReformatter

from kiosk.media.video_encoder_settings import EncoderKind, EncoderSetup, encoder_setup

log = logging.getLogger(__name__)

ENCODER_PIXEL_FORMAT = "yuv420p"

SetupFactory = Callable[[EncoderKind, int, int, int, int, int], EncoderSetup]


class EncoderUnavailable(RuntimeError):
    """The encoder could not be opened (no device, unsupported settings)."""


def open_context(setup: EncoderSetup) -> VideoCodecContext:
    """A PyAV encoder context opened with `setup`; EncoderUnavailable if FFmpeg refuses."""
    try:
        context = av.CodecContext.create(setup.codec_name, "w")
        assert isinstance(context, VideoCodecContext)
        context.width = setup.width
        context.height = setup.height
        context.pix_fmt = ENCODER_PIXEL_FORMAT
        context.bit_rate = setup.bitrate
        context.framerate = setup.fps
        context.time_base = setup.time_base
        context.gop_size = setup.gop_size
        context.thread_count = setup.threads
        context.max_b_frames = 0
        if setup.qp_range is not None:
            context.qmin, context.qmax = setup.qp_range
        if setup.profile is not None:
            context.profile = setup.profile
        if setup.global_header:
            context.flags |= Flags.global_header
        context.options = dict(setup.options)
        context.open()
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise EncoderUnavailable(f"{setup.codec_name} could not be opened ({exc})") from exc
    return context


class FrameEncoder:
    """Encodes frames with one encoder kind at the size and bitrate asked per frame."""

    def __init__(
        self, kind: EncoderKind, fps: int, cores: int, setup_factory: SetupFactory = encoder_setup
    ) -> None:
        self.kind = kind
        self._fps = fps
        self._cores = cores
        self._setup_factory = setup_factory
        self._context: VideoCodecContext | None = None
        self._setup: EncoderSetup | None = None
        self._reformatter = VideoReformatter()
        self.opened = 0  # contexts opened so far (each starts with a keyframe)

    @property
    def setup(self) -> EncoderSetup | None:
        """The setup of the open context, or None."""
        return self._setup

    @property
    def extradata(self) -> bytes:
        """The open context's out-of-band header (H.264 SPS/PPS with a global header)."""
        context = self._context
        return bytes(context.extradata or b"") if context is not None else b""

    def encode(
        self, frame: VideoFrame, width: int, height: int, bitrate: int, keyframe: bool
    ) -> list[Packet]:
        """Encode `frame` scaled to `width`x`height` at about `bitrate` bit/s.

        `frame.pts` must be on the 90 kHz video clock. Returns the packets the
        encoder produced (none while a delaying encoder fills up).
        """
        context = self._context_for(width, height, bitrate)
        if (frame.width, frame.height) != (width, height) or frame.format.name != (
            ENCODER_PIXEL_FORMAT
        ):
            source = frame
            frame = self._reformatter.reformat(
                source, width, height, ENCODER_PIXEL_FORMAT,
                interpolation=Interpolation.BILINEAR, threads=1,
            )
            frame.pts, frame.time_base = source.pts, source.time_base
        frame.pict_type = PictureType.I if keyframe else PictureType.NONE
        return list(context.encode(frame))

    def close(self) -> None:
        """Drop the encoder context (the next frame opens a new one)."""
        self._context = None
        self._setup = None

    def _context_for(self, width: int, height: int, bitrate: int) -> VideoCodecContext:
        setup = self._setup
        if (
            self._context is not None
            and setup is not None
            and (setup.width, setup.height, setup.bitrate) == (width, height, bitrate)
        ):
            return self._context
        new_setup = self._setup_factory(self.kind, width, height, bitrate, self._fps, self._cores)
        self._context = open_context(new_setup)
        self._setup = new_setup
        self.opened += 1
        log.debug("Video encoder %s opened at %dx%d, %d kbit/s", new_setup.codec_name,
                  width, height, bitrate // 1000)
        return self._context
