"""The raw video the encoder gets: camera frames, or black when muted or lost.

It reads the camera in its own task and keeps only the newest frame, so a
camera faster than the encoder never queues frames; it feeds the self-view
mailbox with the same frames (no second decode or encode); it sends black
frames while the camera is muted; and if the camera stops (unplugged, error,
no picture for a while) it reports why once and goes on with black frames at
a low rate, so the call continues.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from fractions import Fraction

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame
from av.video.frame import PictureType

from kiosk.media.frame_mailbox import FrameMailbox
from kiosk.media.rate_meter import RateMeter

log = logging.getLogger(__name__)

VIDEO_CLOCK = 90000  # RTP video clock rate
LOST_FPS = 5  # black frames per second once the camera is gone: keeps the stream alive cheaply
DEFAULT_SIZE = (640, 360)


class OutgoingVideoTrack(MediaStreamTrack):
    """Wraps the camera track for sending (see the module docstring)."""

    kind = "video"

    def __init__(
        self,
        source: MediaStreamTrack,
        self_view: FrameMailbox,
        on_lost: Callable[[str], None],
        stall_seconds: float = 3.0,  # no new picture for this long = the camera is lost
        first_frame_seconds: float = 10.0,  # some USB cameras take seconds to start
    ) -> None:
        super().__init__()
        self._source = source
        self._self_view = self_view
        self._on_lost = on_lost
        self._stall_seconds = stall_seconds
        self._first_frame_seconds = first_frame_seconds
        self._latest: VideoFrame | None = None
        self._fresh = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._lost_reason = ""
        self._muted = False
        self._size = DEFAULT_SIZE
        self._black: VideoFrame | None = None  # of the current size, reused
        self._started_at: float | None = None
        self._last_sent_at = 0.0
        self.meter = RateMeter()

    @property
    def muted(self) -> bool:
        """True while black frames are sent instead of the camera."""
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = value
        if value:
            self._self_view.clear()

    @property
    def lost_reason(self) -> str:
        """Why the camera stopped ("" while it works)."""
        return self._lost_reason

    async def recv(self) -> VideoFrame:
        """The next frame for the encoder."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._reader is None and not self._lost_reason:
            self._reader = asyncio.get_running_loop().create_task(self._read_source())
        if not self._lost_reason:
            patience = self._stall_seconds
            if self._latest is None:
                patience = max(patience, self._first_frame_seconds)
            try:
                # asyncio.timeout, not wait_for: no extra task per frame.
                async with asyncio.timeout(patience):
                    await self._fresh.wait()
            except TimeoutError:
                self._lose("the camera stopped delivering pictures")
        if self._lost_reason:
            frame = await self._paced_black()
        else:
            self._fresh.clear()
            frame = self._latest
            assert frame is not None
            self._size = (frame.width, frame.height)
            if self._muted:
                frame = self._black_frame()
            else:
                # MJPEG, raw and filter-made frames come flagged as keyframes (I), and
                # aiortc's VP8 encoder honours the flag: every frame would be a keyframe
                # (2x the bits, 1.6x the encode time). The encoder decides, or a PLI does.
                frame.pict_type = PictureType.NONE
        now = time.monotonic()
        if self._started_at is None:
            self._started_at = now
        # One clock for camera and black frames alike: RTP timestamps never jump back.
        frame.pts = int((now - self._started_at) * VIDEO_CLOCK)
        frame.time_base = Fraction(1, VIDEO_CLOCK)
        self._last_sent_at = now
        self.meter.tick((frame.width, frame.height))
        return frame

    async def _read_source(self) -> None:
        try:
            while True:
                frame = await self._source.recv()
                self._latest = frame
                self._fresh.set()
                if not self._muted:
                    self._self_view.put(frame)
        except asyncio.CancelledError:
            raise
        except MediaStreamError as exc:
            self._lose(str(exc) or "the camera was disconnected")
        except Exception as exc:  # an FFmpeg/device error in the source
            self._lose(f"the camera failed ({exc})")

    def _lose(self, reason: str) -> None:
        if self._lost_reason or self.readyState != "live":
            return  # already lost, or we were stopped (the call is closing)
        self._lost_reason = reason
        log.warning("Camera lost during the call: %s; sending black", reason)
        self._self_view.clear()
        self._fresh.set()  # wake a waiting recv
        self._source.stop()
        self._on_lost(reason)

    async def _paced_black(self) -> VideoFrame:
        wait = self._last_sent_at + 1 / LOST_FPS - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        return self._black_frame()

    def _black_frame(self) -> VideoFrame:
        # One frame per size, reused: the encoder sets its picture type and pts each time.
        width, height = self._size
        black = self._black
        if black is None or (black.width, black.height) != (width, height):
            black = VideoFrame(width, height, "yuv420p")
            for plane, value in zip(black.planes, (16, 128, 128), strict=True):  # video range
                plane.update(bytes([value]) * plane.buffer_size)
            self._black = black
        return black

    def stop(self) -> None:
        """End the track, its reader task and the camera."""
        super().stop()
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
        self._source.stop()
