"""The far end's live picture: colour bars with the room name, the participant count
and "Waiting for the host" while the participant is held, plus a moving block so a
viewer can tell the picture is live.

The text layer is drawn with Pillow only when the status changes; every frame
copies the cached YUV planes and moves the block (cheap numpy slicing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from aiortc import VideoStreamTrack

log = logging.getLogger(__name__)

WIDTH = 640
HEIGHT = 360
BLOCK = 40
# BT.601 colour bars (white, yellow, cyan, green, magenta, red, blue), dimmed to 75 %.
_BARS_RGB = [
    (191, 191, 191),
    (191, 191, 0),
    (0, 191, 191),
    (0, 191, 0),
    (191, 0, 191),
    (191, 0, 0),
    (0, 0, 191),
]


@dataclass(frozen=True)
class PatternStatus:
    """What the picture says: the room, how many are in it, and whether this caller waits."""

    room_name: str
    participant_count: int
    waiting: bool


def _status_lines(status: PatternStatus) -> list[str]:
    count = status.participant_count
    people = f"{count} participant" + ("" if count == 1 else "s")
    return [status.room_name, people, "Waiting for the host" if status.waiting else "Connected"]


def _rgb_background(width: int, height: int) -> np.ndarray:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    bar_width = -(-width // len(_BARS_RGB))
    for index, colour in enumerate(_BARS_RGB):
        image[: height * 2 // 3, index * bar_width : (index + 1) * bar_width] = colour
    # Darker band at the bottom where the text goes.
    image[height * 2 // 3 :] = (16, 16, 48)
    return image


def _draw_text(image: np.ndarray, lines: list[str]) -> np.ndarray:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:  # Pillow is optional: the picture stays live without its captions.
        return image
    picture = Image.fromarray(image)
    draw = ImageDraw.Draw(picture)
    height = image.shape[0]
    top = height * 2 // 3 + 8
    sizes = [30, 22, 22]
    for line, size in zip(lines, sizes, strict=False):
        font = ImageFont.load_default(size=size)
        draw.text((16, top), line, fill=(255, 255, 255), font=font)
        top += size + 6
    return np.asarray(picture)


class PatternRenderer:
    """Makes yuv420p frames of the pattern; re-draws the text only when the status changes."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT) -> None:
        self.width = width
        self.height = height
        self._background = _rgb_background(width, height)
        self._status: PatternStatus | None = None
        self._planes: np.ndarray | None = None

    def _planes_for(self, status: PatternStatus) -> np.ndarray:
        if status != self._status or self._planes is None:
            rgb = _draw_text(self._background.copy(), _status_lines(status))
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            self._planes = frame.to_ndarray()
            self._status = status
        return self._planes

    def render(self, status: PatternStatus, frame_number: int) -> av.VideoFrame:
        """The frame for `frame_number`: cached planes plus the moving block in the luma plane."""
        planes = self._planes_for(status).copy()
        span = self.width - BLOCK
        x = (frame_number * 4) % (2 * span)
        x = x if x < span else 2 * span - x
        y = self.height * 2 // 3 - BLOCK - 8
        planes[y : y + BLOCK, x : x + BLOCK] = 235
        return av.VideoFrame.from_ndarray(planes, format="yuv420p")


class PatternVideoTrack(VideoStreamTrack):
    """A 640x360@30 video track of the pattern, following `status()` live."""

    def __init__(self, status: Callable[[], PatternStatus]) -> None:
        super().__init__()
        self._status = status
        self._renderer = PatternRenderer()
        self._count = 0
        self.frames_sent = 0

    async def recv(self) -> Any:
        """The next frame, paced at 30 frames per second by aiortc's clock."""
        pts, time_base = await self.next_timestamp()
        frame = self._renderer.render(self._status(), self._count)
        frame.pts = pts
        frame.time_base = time_base
        self._count += 1
        self.frames_sent += 1
        return frame
