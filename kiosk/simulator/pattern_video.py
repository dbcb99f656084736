"""The far end's live picture: colour bars with a small label in the centre (the room
name, the participant count, and "Waiting for the host" while the participant is
held), plus a moving block so a viewer can tell the picture is live.

The label stays small and clear of the corners and the bottom edge, where a kiosk
draws its own panels and controls over the remote picture. It is drawn with Pillow
only when the status changes; every frame copies the cached YUV planes and moves
the block (cheap numpy slicing).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np
from aiortc import VideoStreamTrack
from PIL import Image, ImageDraw, ImageFont

WIDTH = 640
HEIGHT = 360
FPS = 30
VIDEO_CLOCK = 90000
BLOCK = 40
WAITING_TEXT = "Waiting for the host"
CONNECTED_TEXT = "Connected"
LABEL_MARGIN = 10  # pixels between the label and the picture's edges
LABEL_MAX_WIDTH = 0.6  # of the picture's width; a longer room name is shortened
LABEL_SHADE = 0.3  # the bars keep this much of their brightness behind the label
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


def label_lines(status: PatternStatus, room_name: str | None = None) -> tuple[str, str]:
    """The label's two lines: "<room> · N participants" and the caller's state
    (`room_name`: a shortened name to show instead of the status's own)."""
    count = status.participant_count
    people = f"{count} participant" + ("" if count == 1 else "s")
    state = WAITING_TEXT if status.waiting else CONNECTED_TEXT
    return f"{room_name or status.room_name} · {people}", state


def _rgb_bars(width: int, height: int) -> np.ndarray:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    bar_width = -(-width // len(_BARS_RGB))
    for index, colour in enumerate(_BARS_RGB):
        image[:, index * bar_width : (index + 1) * bar_width] = colour
    return image


def _font_px(height: int) -> int:
    return max(11, height // 24)


def label_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The largest area (x0, y0, x1, y1) the label may cover in a picture of that size."""
    font_px = _font_px(height)
    box_h = 2 * font_px + 3 * (font_px // 3) + 4  # two lines, three gaps, room for descenders
    # Centred: a kiosk draws its own panels in the corners and its controls at the bottom.
    box_w = int(width * LABEL_MAX_WIDTH)
    x0 = (width - box_w) // 2
    y0 = (height - box_h) // 2
    return x0, y0, x0 + box_w, y0 + box_h


def _draw_label(image: np.ndarray, status: PatternStatus) -> np.ndarray:
    """Shade a compact box in the centre and write the status into it."""
    height, width = image.shape[:2]
    font_px = _font_px(height)
    pad = font_px // 3
    font = ImageFont.load_default(size=font_px)
    x0, y0, x_limit, y1 = label_box(width, height)
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    room_name = status.room_name
    lines = label_lines(status)
    # A long room name is shortened, never the count or the state.
    while len(room_name) > 1 and measure.textlength(lines[0], font=font) > x_limit - x0 - 2 * pad:
        room_name = room_name[:-2] + "…"
        lines = label_lines(status, room_name)
    text_w = max(int(measure.textlength(line, font=font)) for line in lines)
    used_w = min(x_limit - x0, text_w + 2 * pad)
    x0 = (width - used_w) // 2
    x1 = x0 + used_w
    image[y0:y1, x0:x1] = (image[y0:y1, x0:x1] * LABEL_SHADE).astype(np.uint8)
    picture = Image.fromarray(image)
    draw = ImageDraw.Draw(picture)
    top = y0 + pad
    for line in lines:
        draw.text((x0 + pad, top), line, fill=(255, 255, 255), font=font)
        top += font_px + pad
    return np.asarray(picture)


class PatternRenderer:
    """Makes yuv420p frames of the pattern; re-draws the text only when the status changes."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT) -> None:
        self.width = width
        self.height = height
        self._background = _rgb_bars(width, height)
        self._status: PatternStatus | None = None
        self._planes: np.ndarray | None = None

    def _planes_for(self, status: PatternStatus) -> np.ndarray:
        if status != self._status or self._planes is None:
            rgb = _draw_label(self._background.copy(), status)
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
        y = self.height * 3 // 4 - BLOCK // 2  # below the centred label
        planes[y : y + BLOCK, x : x + BLOCK] = 235
        return av.VideoFrame.from_ndarray(planes, format="yuv420p")


class PatternVideoTrack(VideoStreamTrack):
    """A video track of the pattern (640x360@30 by default), following `status()` live.

    `override()`, when given, may return a frame to send instead (a presentation put
    into the main video of a `present: main` call)."""

    def __init__(self, status: Callable[[], PatternStatus], width: int = WIDTH,
                 height: int = HEIGHT, fps: int = FPS,
                 override: Callable[[], av.VideoFrame | None] | None = None) -> None:
        super().__init__()
        self._status = status
        self._override = override
        self._renderer = PatternRenderer(width, height)
        self._fps = fps
        self._count = 0
        self._started_at: float | None = None
        self.frames_sent = 0

    async def _next_pts(self) -> tuple[int, Fraction]:
        if self._fps == FPS:
            return await self.next_timestamp()  # aiortc's own 30 fps clock
        now = time.monotonic()
        if self._started_at is None:
            self._started_at = now
        due = self._started_at + self._count / self._fps
        if due > now:
            await asyncio.sleep(due - now)
        return self._count * VIDEO_CLOCK // self._fps, Fraction(1, VIDEO_CLOCK)

    async def recv(self) -> Any:
        """The next frame, paced at the track's frame rate."""
        pts, time_base = await self._next_pts()
        replaced = self._override() if self._override is not None else None
        frame = replaced if replaced is not None else self._renderer.render(self._status(),
                                                                            self._count)
        frame.pts = pts
        frame.time_base = time_base
        self._count += 1
        self.frames_sent += 1
        return frame
