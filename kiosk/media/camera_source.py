"""Opening the room's camera as KIOSK_CAMERA says: auto, a device path, picamera, test,
file:PATH (a recorded camera stream, see `file_camera`), none.

Opening is blocking (FFmpeg probes the device): call `open_camera` in a
thread. Every failure becomes an `OpenedSource` with status UNAVAILABLE and
the reason, never an exception: a missing or busy camera must not stop a call.
Devices are opened per call, so a camera plugged in again is used by the next call.
"""

from __future__ import annotations

import glob
import logging
import re
from typing import TYPE_CHECKING

import av
from aiortc.contrib.media import MediaPlayer

from kiosk.config import Settings
from kiosk.i18n.message import MessageText, fixed_message
from kiosk.media.file_camera import file_camera_path, open_file_camera
from kiosk.media.opened_source import (
    DeviceUnavailable,
    OpenedSource,
    active,
    disabled,
    unavailable,
)

if TYPE_CHECKING:
    from kiosk.media.test_pattern import TestPatternTrack

log = logging.getLogger(__name__)

DEVICE_GLOB = "/dev/video*"
NO_CAMERA = fixed_message("camera_none_connected", "no camera connected")
NO_WORKING_CAMERA = fixed_message("camera_none_working", "no working camera found")
CANNOT_OPEN = MessageText("camera_cannot_open", "camera {path} cannot be opened ({detail})")
NOT_A_CAMERA = MessageText("camera_not_capture", "{path} is not a video capture device")


def open_camera(settings: Settings) -> OpenedSource:
    """The camera KIOSK_CAMERA names, opened, or its status saying why there is none."""
    choice = settings.camera.strip()
    lowered = choice.lower()
    if lowered == "none":
        return disabled("Camera")
    if lowered == "test":
        return active(_test_pattern(settings), "test pattern")
    clip = file_camera_path(choice)
    try:
        if clip is not None:
            return active(open_file_camera(clip, settings.camera_fps), f"file {clip.name}")
        if lowered == "picamera":
            from kiosk.media.picamera_track import open_picamera  # numpy: only for this camera

            width, height = settings.camera_size
            return active(open_picamera(width, height, settings.camera_fps), "Pi camera")
        if lowered == "auto":
            return _first_working_device(settings)
        return active(open_v4l2(choice, settings), choice)
    except DeviceUnavailable as exc:
        log.warning("Camera unavailable: %s", exc)
        return unavailable(str(exc))


def open_v4l2(path: str, settings: Settings) -> MediaPlayer:
    """Open a V4L2 camera with the configured size, rate and format, or raise DeviceUnavailable."""
    width, height = settings.camera_size
    options = {"video_size": f"{width}x{height}", "framerate": str(settings.camera_fps)}
    if settings.camera_format:
        options["input_format"] = settings.camera_format
    try:
        player = MediaPlayer(path, format="v4l2", options=options)
    except av.FFmpegError as exc:
        raise DeviceUnavailable(CANNOT_OPEN(path=path, detail=_ffmpeg_reason(exc))) from None
    except OSError as exc:
        raise DeviceUnavailable(CANNOT_OPEN(path=path, detail=exc.strerror or str(exc))) from None
    if player.video is None:
        raise DeviceUnavailable(NOT_A_CAMERA(path=path))
    return player.video


def candidate_devices() -> list[str]:
    """The /dev/video* nodes in numeric order (video0, video1, ..., video10)."""

    def number(path: str) -> int:
        match = re.search(r"(\d+)$", path)
        return int(match.group(1)) if match else 1 << 30

    return sorted(glob.glob(DEVICE_GLOB), key=number)


def _first_working_device(settings: Settings) -> OpenedSource:
    devices = candidate_devices()
    if not devices:
        raise DeviceUnavailable(NO_CAMERA)
    reasons = []
    for path in devices:
        try:
            return active(open_v4l2(path, settings), path)
        except DeviceUnavailable as exc:
            # USB webcams also create metadata nodes that cannot capture: try the next.
            log.debug("Skipping %s: %s", path, exc)
            reasons.append(str(exc))
    raise DeviceUnavailable(reasons[0] if len(reasons) == 1 else NO_WORKING_CAMERA)


def _test_pattern(settings: Settings) -> TestPatternTrack:
    # Imported here: its caption needs Pillow and numpy, which a real camera does not.
    from kiosk.media.test_pattern import TestPatternTrack

    width, height = settings.camera_size
    return TestPatternTrack(width, height, settings.camera_fps, settings.display_name)


def _ffmpeg_reason(exc: av.FFmpegError) -> str:
    # FFmpeg errors repeat the file name; keep only the human part ("No such file or directory").
    return str(getattr(exc, "strerror", None) or exc)
