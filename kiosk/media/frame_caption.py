"""A caption (the room's name and a clock) stamped into YUV 4:2:0 frames.

The bundled FFmpeg has no `drawtext` filter, so the text is rendered with
Pillow into a small grey box once per second; each frame only gets that box
copied into its luma plane (one numpy slice assignment, done in C).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from av import VideoFrame
from PIL import Image, ImageDraw, ImageFont

BOX_LUMA = 24  # a dark box keeps the text readable on any part of the pattern
TEXT_LUMA = 235  # video-range white
CHROMA_NEUTRAL = 128


class FrameCaption:
    """Stamps `"{title}  HH:MM:SS"` into the bottom-left corner of yuv420p frames."""

    def __init__(
        self,
        title: str,
        frame_width: int,
        frame_height: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._title = title
        self._clock = clock
        font_px = max(10, frame_height // 16)
        self._font = ImageFont.load_default(size=font_px)
        self._pad = max(2, font_px // 4) & ~1
        # Even sizes and offsets: the chroma planes are half size.
        self._box_h = (font_px + 2 * self._pad + 1) & ~1
        self._box_w = max(2, frame_width - 2 * self._pad) & ~1
        self._x = self._pad
        self._y = (frame_height - self._box_h - self._pad) & ~1
        self._shown = ""
        self._clock_shown = ""
        self._box = np.full((self._box_h, self._box_w), BOX_LUMA, np.uint8)

    @property
    def text(self) -> str:
        """The text of the box as last rendered."""
        return self._shown

    def stamp(self, frame: VideoFrame) -> None:
        """Write the caption into `frame` (a writable yuv420p frame) in place."""
        clock_text = time.strftime("%H:%M:%S", time.localtime(self._clock()))
        if clock_text != self._clock_shown:
            self._box, self._shown = self._render(clock_text)
            self._clock_shown = clock_text
        h, w, x, y = self._box_h, self._box_w, self._x, self._y
        _plane_rows(frame, 0)[y : y + h, x : x + w] = self._box
        for index in (1, 2):
            _plane_rows(frame, index)[y // 2 : (y + h) // 2, x // 2 : (x + w) // 2] = (
                CHROMA_NEUTRAL
            )

    def _render(self, clock_text: str) -> tuple[np.ndarray, str]:
        image = Image.new("L", (self._box_w, self._box_h), BOX_LUMA)
        draw = ImageDraw.Draw(image)
        limit = self._box_w - 2 * self._pad
        title = self._title
        text = f"{title}  {clock_text}"
        # Shorten a long room name so that the clock always stays visible.
        while title and draw.textlength(text, font=self._font) > limit:
            title = title[:-2] + "…" if len(title) > 2 else ""
            text = f"{title}  {clock_text}".strip()
        draw.text((self._pad, self._pad // 2), text, fill=TEXT_LUMA, font=self._font)
        return np.asarray(image, dtype=np.uint8), text


def _plane_rows(frame: VideoFrame, index: int) -> np.ndarray:
    plane = frame.planes[index]
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
