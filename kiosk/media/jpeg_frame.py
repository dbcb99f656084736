"""A presentation JPEG turned into a video frame, so the slides widget shows it like video."""

from __future__ import annotations

import io

from av import VideoFrame
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 3840 * 2160  # a 4K presentation is the largest a node sends


class BadImage(ValueError):
    """The bytes are not a JPEG that can be shown."""


def jpeg_to_frame(data: bytes) -> VideoFrame:
    """Decode a JPEG into an RGB `av.VideoFrame` (blocking: run it in a worker thread)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise BadImage(f"not a JPEG ({image.format})")
            if image.width * image.height > MAX_PIXELS:
                raise BadImage(f"too large ({image.width}x{image.height})")
            rgb = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise BadImage(f"cannot be decoded ({type(exc).__name__})") from None
    return VideoFrame.from_image(rgb)
