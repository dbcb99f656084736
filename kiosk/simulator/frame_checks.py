"""Cheap tests the far end runs on each received frame: is the picture black, the sound silent?

They let `GET /_sim/rooms/{alias}` show that a muted camera sends black and a
muted microphone sends silence, not only that the node was told.
"""

from __future__ import annotations

import av
import numpy as np

# Video-range black is luma 16; a lossy codec adds a little noise on top.
BLACK_LUMA_MAX = 40
# Every 8th pixel of every 8th row is plenty to see a test pattern or a camera picture.
SAMPLE_STEP = 8
PLANAR_YUV = frozenset({"yuv420p", "yuvj420p"})


def is_black_video(frame: av.VideoFrame) -> bool:
    """True when no sampled pixel is brighter than near-black."""
    if frame.format.name in PLANAR_YUV:
        # A view of the luma plane itself: no copy or conversion of the frame.
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        luma = rows[::SAMPLE_STEP, : frame.width : SAMPLE_STEP]
    else:
        luma = frame.to_ndarray(format="gray")[::SAMPLE_STEP, ::SAMPLE_STEP]
    return bool(luma.size) and int(luma.max()) <= BLACK_LUMA_MAX


def is_silent_audio(frame: av.AudioFrame) -> bool:
    """True when every sample of the frame is zero (what a muted sender's silence decodes to)."""
    samples = frame.to_ndarray()
    return not samples.size or not np.any(samples)
