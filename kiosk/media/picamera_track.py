"""The `picamera` camera: a Raspberry Pi camera module through picamera2/libcamera.

picamera2 is an optional extra (`pip install '.[picamera]'`, on Raspberry Pi
OS usually the `python3-picamera2` package); it is imported only when this
camera is chosen, so other machines never need it.
"""

from __future__ import annotations

import asyncio
import importlib
from fractions import Fraction
from typing import Any

import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from kiosk.i18n.message import MessageText, fixed_message
from kiosk.media.opened_source import DeviceUnavailable

PICAMERA_MISSING = fixed_message(
    "picamera_missing", "Pi camera support is not installed (install the 'picamera' extra)")
PICAMERA_FAILED = MessageText("picamera_failed", "Pi camera could not be started ({detail})")
# libcamera hands out YUV420 rows padded to this alignment; asking for a width
# that is a multiple of it keeps the array exactly width x height*3/2.
WIDTH_ALIGNMENT = 64


def open_picamera(width: int, height: int, fps: int) -> PicameraTrack:
    """Start the Pi camera (blocking: call it in a thread) or raise DeviceUnavailable."""
    try:
        module = importlib.import_module("picamera2")
    except ImportError:
        raise DeviceUnavailable(PICAMERA_MISSING) from None
    aligned_width = max(WIDTH_ALIGNMENT, width // WIDTH_ALIGNMENT * WIDTH_ALIGNMENT)
    try:
        camera = module.Picamera2()
        config = camera.create_video_configuration(
            main={"size": (aligned_width, height), "format": "YUV420"},
            controls={"FrameRate": float(fps)},
        )
        camera.configure(config)
        camera.start()
    except Exception as exc:  # libcamera raises RuntimeError, IndexError (no camera), ...
        raise DeviceUnavailable(PICAMERA_FAILED(detail=str(exc))) from None
    return PicameraTrack(camera, fps)


class PicameraTrack(MediaStreamTrack):
    """Frames of a started Picamera2, captured in a worker thread."""

    kind = "video"

    def __init__(self, camera: Any, fps: int) -> None:
        super().__init__()
        self._camera: Any | None = camera
        self._fps = fps
        self._index = 0

    async def recv(self) -> VideoFrame:
        """The next picture (capture_array blocks until the sensor delivers one)."""
        camera = self._camera
        if self.readyState != "live" or camera is None:
            raise MediaStreamError
        try:
            array: np.ndarray = await asyncio.to_thread(camera.capture_array, "main")
        except Exception as exc:
            self.stop()
            raise MediaStreamError(f"Pi camera stopped ({exc})") from None
        frame = VideoFrame.from_ndarray(array, format="yuv420p")
        self._index += 1
        frame.pts = self._index
        frame.time_base = Fraction(1, self._fps)
        return frame

    def stop(self) -> None:
        """Stop and release the camera. Safe to call twice."""
        super().stop()
        camera, self._camera = self._camera, None
        if camera is not None:
            try:
                camera.stop()
                camera.close()
            except Exception:  # a camera that already vanished cannot be closed
                pass
