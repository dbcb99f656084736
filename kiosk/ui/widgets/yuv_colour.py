"""The YUV -> RGB conversion the video shader applies, from a decoded frame's colour tags.

VP8 and H.264 decoders give BT.601 limited-range ("MPEG", Y 16-235) pictures
unless the stream says otherwise; a USB camera's MJPEG decodes to full-range
("JPEG") yuvj420p; HD streams may be tagged BT.709. The shader computes
`rgb = (yuv - offset) . row` for each of R, G and B; this module gives the
offset and the three rows. No Kivy here: plain numbers, testable alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# FFmpeg's AVColorSpace / AVColorRange numbers, as PyAV's VideoFrame reports them.
COLORSPACE_BT709 = 1
COLORSPACE_BT2020 = (9, 10)
COLOR_RANGE_FULL = 2
FULL_RANGE_FORMATS = frozenset({"yuvj420p"})


class Matrix(Enum):
    """The luma coefficients (Kr, Kb) of a colour standard."""

    BT601 = (0.299, 0.114)
    BT709 = (0.2126, 0.0722)
    BT2020 = (0.2627, 0.0593)


@dataclass(frozen=True)
class YuvToRgb:
    """Shader constants: `offset` is subtracted from (Y, U, V) in 0..1, then each of
    `red`, `green`, `blue` is dotted with the result."""

    offset: tuple[float, float, float]
    red: tuple[float, float, float]
    green: tuple[float, float, float]
    blue: tuple[float, float, float]


def conversion(matrix: Matrix, full_range: bool) -> YuvToRgb:
    """The constants for `matrix` at limited (16-235/240) or full (0-255) range."""
    kr, kb = matrix.value
    kg = 1.0 - kr - kb
    if full_range:
        luma_scale, chroma_scale = 1.0, 1.0
        offset = (0.0, 128 / 255, 128 / 255)
    else:
        luma_scale, chroma_scale = 255 / 219, 255 / 224
        offset = (16 / 255, 128 / 255, 128 / 255)
    cr_to_r = 2 * (1 - kr) * chroma_scale
    cb_to_b = 2 * (1 - kb) * chroma_scale
    cb_to_g = -2 * kb * (1 - kb) / kg * chroma_scale
    cr_to_g = -2 * kr * (1 - kr) / kg * chroma_scale
    return YuvToRgb(
        offset=offset,
        red=(luma_scale, 0.0, cr_to_r),
        green=(luma_scale, cb_to_g, cr_to_g),
        blue=(luma_scale, cb_to_b, 0.0),
    )


def frame_conversion(format_name: str, colorspace: int, color_range: int) -> YuvToRgb:
    """The constants for a frame with these PyAV properties (untagged = BT.601 limited)."""
    if colorspace == COLORSPACE_BT709:
        matrix = Matrix.BT709
    elif colorspace in COLORSPACE_BT2020:
        matrix = Matrix.BT2020
    else:
        matrix = Matrix.BT601
    full = color_range == COLOR_RANGE_FULL or format_name in FULL_RANGE_FORMATS
    return conversion(matrix, full)
