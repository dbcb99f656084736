"""The `test` camera: a moving lavfi test pattern with the room's name and a clock.

It has the size and rate KIOSK_CAMERA_SIZE and KIOSK_CAMERA_FPS say (1280x720@30
by default, what a USB webcam captures), so demos and benchmarks cost what a
real camera's picture costs to encode.

The picture is made by FFmpeg filters in C: SMPTE HD colour bars with a white
square bouncing across them, paced to the configured frame rate; only the
small caption box is written per frame. `testsrc2` was not used: its noise
field cannot be compressed below ~0.7 Mbit/s at 640x360, far from what a
camera sends, which made the test camera useless for bitrate and CPU figures.
"""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction

import av.filter
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from kiosk.media.frame_caption import FrameCaption


class TestPatternTrack(MediaStreamTrack):
    """A live video track of colour bars with a moving square and a caption (yuv420p)."""

    kind = "video"
    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, width: int, height: int, fps: int, title: str) -> None:
        super().__init__()
        self._fps = fps
        self._graph: av.filter.Graph | None = pattern_graph(width, height, fps)
        self._caption = FrameCaption(title, width, height)
        self._started_at: float | None = None
        self._index = 0

    @property
    def caption_text(self) -> str:
        """The caption drawn into the newest frame."""
        return self._caption.text

    async def recv(self) -> VideoFrame:
        """The next frame, at the configured rate."""
        if self.readyState != "live" or self._graph is None:
            raise MediaStreamError
        now = time.monotonic()
        if self._started_at is None:
            self._started_at = now
        due = self._started_at + self._index / self._fps
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > 1.0:
            # The loop was blocked for a while: restart the schedule, do not burst.
            self._started_at = now - self._index / self._fps
        self._index += 1
        if self._graph is None:  # stopped while sleeping
            raise MediaStreamError
        frame = self._graph.vpull()
        self._caption.stamp(frame)
        frame.pts = self._index
        frame.time_base = Fraction(1, self._fps)
        return frame

    def stop(self) -> None:
        """End the track and free the filter graph."""
        super().stop()
        self._graph = None


def pattern_graph(width: int, height: int, fps: int) -> av.filter.Graph:
    """The filter graph of the pattern without the caption: `vpull()` gives yuv420p frames."""
    graph = av.filter.Graph()
    bars = graph.add("smptehdbars", f"size={width}x{height}:rate={fps}")
    side = max(2, height // 5)
    square = graph.add("color", f"c=white:size={side}x{side}:rate={fps}")
    # Triangle waves: across in 6 s, up and down in 4 s (above the caption).
    overlay = graph.add(
        "overlay",
        "x='(W-w)*abs(mod(t/6,2)-1)':y='(H-h)*0.7*(1-abs(mod(t/4,2)-1))':eval=frame",
    )
    convert = graph.add("format", "pix_fmts=yuv420p")
    sink = graph.add("buffersink")
    bars.link_to(overlay, 0, 0)
    square.link_to(overlay, 0, 1)
    overlay.link_to(convert)
    convert.link_to(sink)
    graph.configure()
    return graph
