"""A one-slot mailbox of the newest decoded video frame, pulled by the display.

The producer (the remote track's reader, or the outgoing camera track for the
self-view) puts every frame; the mailbox keeps only the newest, so a slow
display drops frames instead of queueing them. The display pulls
`latest_frame()` and draws its planes as decoded (the GPU converts and scales).
`latest_rgba(width, height)` converts on the CPU, for diagnostics and tests.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from kiosk.media.interface import RgbaFrame

if TYPE_CHECKING:  # the mailbox only holds frames: PyAV loads with the media stack
    from av import VideoFrame


class FrameMailbox:
    """Holds the newest `av.VideoFrame` and serves it as RGBA (implements `VideoOutput`).

    Safe to put from the event loop and pull from another thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: VideoFrame | None = None
        self._count = 0
        self._dropped = 0
        self._pulled_number = 0
        self._cached: RgbaFrame | None = None
        self._first_frame_at: float | None = None

    @property
    def frame_count(self) -> int:
        """How many frames have arrived so far (0 = none yet)."""
        return self._count

    @property
    def dropped_count(self) -> int:
        """Frames replaced by a newer one before anybody pulled them."""
        return self._dropped

    @property
    def first_frame_at(self) -> float | None:
        """`time.monotonic()` when the first frame arrived, or None."""
        return self._first_frame_at

    def put(self, frame: VideoFrame) -> None:
        """Replace the held frame with `frame` (the older one, if never pulled, is dropped)."""
        with self._lock:
            if self._frame is not None and self._pulled_number != self._count:
                self._dropped += 1
            self._frame = frame
            self._count += 1
            if self._first_frame_at is None:
                self._first_frame_at = time.monotonic()

    def clear(self) -> None:
        """Forget the held frame (camera turned off): `latest_rgba` returns None until the next."""
        with self._lock:
            self._frame = None
            self._cached = None

    def latest_frame(self) -> VideoFrame | None:
        """The newest frame as decoded (no conversion), or None; it counts as pulled."""
        with self._lock:
            if self._frame is not None:
                self._pulled_number = self._count
            return self._frame

    def latest_rgba(self, width: int, height: int) -> RgbaFrame | None:
        """The newest frame scaled to fit `width`x`height` (aspect kept), or None.

        The same frame asked at the same size again returns the cached result.
        """
        if width < 1 or height < 1:
            raise ValueError(f"cannot scale a frame to {width}x{height}")
        with self._lock:
            frame, number = self._frame, self._count
            if frame is None:
                return None
            self._pulled_number = number
            cached = self._cached
        target_w, target_h = fit_size(frame.width, frame.height, width, height)
        if (
            cached is not None
            and cached.number == number
            and (cached.width, cached.height) == (target_w, target_h)
        ):
            return cached
        converted = RgbaFrame(
            number=number,
            width=target_w,
            height=target_h,
            pixels=rgba_pixels(frame, target_w, target_h),
        )
        with self._lock:
            if self._count == number:
                self._cached = converted
        return converted


def fit_size(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest size with the aspect of `src_w`x`src_h` that fits `box_w`x`box_h`."""
    scale = min(box_w / src_w, box_h / src_h)
    return max(1, round(src_w * scale)), max(1, round(src_h * scale))


def rgba_pixels(frame: VideoFrame, width: int, height: int) -> bytes:
    """`frame` scaled to `width`x`height` as tightly packed RGBA bytes, top row first."""
    rgba = frame.reformat(width=width, height=height, format="rgba")
    plane = rgba.planes[0]
    row = width * 4
    if plane.line_size == row:
        return bytes(plane)
    # Rows are padded for alignment: drop the padding in one strided copy.
    import numpy as np  # only here: the display itself never needs numpy

    rows = np.frombuffer(plane, np.uint8).reshape(height, plane.line_size)
    return rows[:, :row].tobytes()
