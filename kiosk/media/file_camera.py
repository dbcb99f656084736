"""The `file:` camera: a recorded camera stream played in a loop at its own frame rate.

`KIOSK_CAMERA=file:/path/clip.mkv` plays any video file FFmpeg reads; it is
meant for what a USB webcam delivers, MJPEG or raw YUYV (4:2:2) frames, so the
capture decoding a real camera needs (MJPEG → YUV, or YUYV → 4:2:0 in the
encoder) is part of a call's cost on a machine without a camera. Frames are
decoded in a worker thread of their own, as aiortc's MediaPlayer does for a
V4L2 device, and handed to the loop at the file's frame rate (the container's
rate; KIOSK_CAMERA_FPS for a stream that has none). At the end the file starts
again. `python -m kiosk.simulator.recorded_clips` makes such clips.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from kiosk.i18n.message import MessageText
from kiosk.media.opened_source import DeviceUnavailable

FILE_CAMERA_PREFIX = "file:"
# Why the file camera cannot be used (the admin screen shows it in the room's language).
NO_FILE = MessageText("camera_file_missing", "camera file {path} does not exist")
NO_VIDEO = MessageText("camera_file_no_video", "camera file {path} has no video")
CANNOT_PLAY = MessageText("camera_file_unplayable",
                          "camera file {path} cannot be played ({detail})")
VIDEO_CLOCK = 90000
QUEUE_FRAMES = 2  # a slow consumer loses old frames, as with a live camera
LATE_RESTART_SECONDS = 1.0  # further behind than this: restart the schedule, never burst


def file_camera_path(choice: str) -> Path | None:
    """The path of a `file:PATH` camera setting, or None for any other setting."""
    if not choice.lower().startswith(FILE_CAMERA_PREFIX):
        return None
    return Path(choice[len(FILE_CAMERA_PREFIX):].strip()).expanduser()


def open_file_camera(path: Path, fallback_fps: int) -> FileCameraTrack:
    """Check that `path` is a playable video file and return its track; DeviceUnavailable if not.

    Blocking (FFmpeg probes the file): call it in a thread.
    """
    if not path.is_file():
        raise DeviceUnavailable(NO_FILE(path=str(path)))
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DeviceUnavailable(NO_VIDEO(path=str(path)))
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
    except av.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise DeviceUnavailable(CANNOT_PLAY(path=str(path), detail=str(reason))) from None
    fps = float(rate) if rate else float(fallback_fps)
    return FileCameraTrack(path, fps)


class FileCameraTrack(MediaStreamTrack):
    """A live video track of a file's frames, decoded in a worker thread, looped, paced."""

    kind = "video"

    def __init__(self, path: Path, fps: float) -> None:
        super().__init__()
        self.path = path
        self.fps = fps
        self._queue: asyncio.Queue[VideoFrame | None] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._index = 0
        self.loops = 0  # how many times the file started again
        self.error = ""

    async def recv(self) -> VideoFrame:
        """The next frame of the file, at its frame rate."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._thread is None:
            self._start(asyncio.get_running_loop())
        assert self._queue is not None
        frame = await self._queue.get()
        if frame is None:
            self.stop()
            raise MediaStreamError(self.error or "the camera file ended")
        frame.pts = round(self._index * VIDEO_CLOCK / self.fps)
        frame.time_base = Fraction(1, VIDEO_CLOCK)
        self._index += 1
        return frame

    def stop(self) -> None:
        """End the track and its worker thread."""
        super().stop()
        self._stop.set()

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._queue = asyncio.Queue()
        self._thread = threading.Thread(
            target=self._play, args=(loop, self._queue), name="kiosk-file-camera", daemon=True
        )
        self._thread.start()

    def _play(self, loop: asyncio.AbstractEventLoop,
              queue: asyncio.Queue[VideoFrame | None]) -> None:
        """In the worker thread: decode, wait for each frame's time, hand it over; loop."""
        interval = 1.0 / self.fps
        due = time.monotonic()
        try:
            while not self._stop.is_set():
                # Opened again for every pass: raw streams (.mjpeg) cannot seek.
                with av.open(str(self.path)) as container:
                    decoded = False
                    for frame in container.decode(video=0):
                        decoded = True
                        due += interval
                        wait = due - time.monotonic()
                        if wait > 0:
                            time.sleep(wait)
                        elif -wait > LATE_RESTART_SECONDS:
                            due = time.monotonic()
                        if self._stop.is_set():
                            return
                        loop.call_soon_threadsafe(_offer, queue, frame)
                if not decoded:
                    self.error = f"camera file {self.path} has no frames"
                    break
                self.loops += 1
        except (av.FFmpegError, OSError) as exc:
            self.error = f"camera file {self.path} failed ({exc})"
        except RuntimeError:  # the loop closed while we played: nobody is listening
            return
        if not self._stop.is_set():
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is listening
                loop.call_soon_threadsafe(queue.put_nowait, None)


def _offer(queue: asyncio.Queue[VideoFrame | None], frame: VideoFrame) -> None:
    """On the loop: queue the frame, dropping the oldest if the consumer is behind."""
    while queue.qsize() >= QUEUE_FRAMES:
        queue.get_nowait()
    queue.put_nowait(frame)
