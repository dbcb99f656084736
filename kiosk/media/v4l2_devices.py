"""What the /dev/video* nodes are, asked of V4L2 itself: is there an H.264 M2M encoder?

A Raspberry Pi 4 has its hardware codec as memory-to-memory devices
(bcm2835-codec: video10 decodes, video11 encodes, video12 converts); a Pi 5 has
no H.264 encoder at all. Names and numbers differ by board and kernel, so a node
counts as an H.264 encoder when V4L2 says it is a memory-to-memory device whose
capture side (what comes out) offers H.264 and whose output side (what goes in)
takes 4:2:0 frames. Two ioctls per node (VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT), done
with the standard library: a dependency for two fixed structs is not worth it.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import logging
import os
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEVICE_GLOB = "/dev/video*"

# <linux/videodev2.h>
VIDIOC_QUERYCAP = 0x80685600  # _IOR('V', 0, struct v4l2_capability), 104 bytes
VIDIOC_ENUM_FMT = 0xC0405602  # _IOWR('V', 2, struct v4l2_fmtdesc), 64 bytes
CAPABILITY_STRUCT = struct.Struct("<16s32s32sIII12x")
FMTDESC_STRUCT = struct.Struct("<III32sII12x")
V4L2_CAP_VIDEO_M2M_MPLANE = 0x00004000
V4L2_CAP_VIDEO_M2M = 0x00008000
V4L2_CAP_DEVICE_CAPS = 0x80000000
BUF_TYPE_CAPTURE, BUF_TYPE_OUTPUT = 1, 2
BUF_TYPE_CAPTURE_MPLANE, BUF_TYPE_OUTPUT_MPLANE = 9, 10
MAX_FORMATS = 64


def fourcc(code: str) -> int:
    """A V4L2 pixel format code ("H264", "YU12") as its 32-bit number."""
    return int.from_bytes(code.encode("ascii"), "little")


H264 = fourcc("H264")
YUV420_FORMATS = frozenset({fourcc("YU12"), fourcc("NV12"), fourcc("YM12"), fourcc("NM12")})

Ioctl = Callable[[int, int, bytearray], object]


@dataclass(frozen=True)
class VideoDevice:
    """One V4L2 node as the kernel describes it."""

    path: str
    card: str
    memory_to_memory: bool
    capture_formats: frozenset[int]  # what the device produces
    output_formats: frozenset[int]  # what it is fed

    @property
    def is_h264_encoder(self) -> bool:
        """True for a memory-to-memory device turning 4:2:0 frames into H.264."""
        return (
            self.memory_to_memory
            and H264 in self.capture_formats
            and bool(self.output_formats & YUV420_FORMATS)
        )


def describe(path: str, fd: int, ioctl: Ioctl = fcntl.ioctl) -> VideoDevice:
    """Query an open V4L2 node; OSError if it is not one."""
    buffer = bytearray(CAPABILITY_STRUCT.size)
    ioctl(fd, VIDIOC_QUERYCAP, buffer)
    _driver, card, _bus, _version, capabilities, device_caps = CAPABILITY_STRUCT.unpack(buffer)
    caps = device_caps if capabilities & V4L2_CAP_DEVICE_CAPS else capabilities
    mplane = bool(caps & V4L2_CAP_VIDEO_M2M_MPLANE)
    m2m = mplane or bool(caps & V4L2_CAP_VIDEO_M2M)
    capture_type = BUF_TYPE_CAPTURE_MPLANE if mplane else BUF_TYPE_CAPTURE
    output_type = BUF_TYPE_OUTPUT_MPLANE if mplane else BUF_TYPE_OUTPUT
    return VideoDevice(
        path=path,
        card=card.split(b"\0", 1)[0].decode(errors="replace"),
        memory_to_memory=m2m,
        capture_formats=_formats(fd, capture_type, ioctl) if m2m else frozenset(),
        output_formats=_formats(fd, output_type, ioctl) if m2m else frozenset(),
    )


def _formats(fd: int, buffer_type: int, ioctl: Ioctl) -> frozenset[int]:
    found = set()
    for index in range(MAX_FORMATS):
        buffer = bytearray(FMTDESC_STRUCT.pack(index, buffer_type, 0, b"", 0, 0))
        try:
            ioctl(fd, VIDIOC_ENUM_FMT, buffer)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: past the last format
                log.debug("Listing formats failed: %s", exc)
            break
        found.add(FMTDESC_STRUCT.unpack(buffer)[4])
    return frozenset(found)


def probe_devices(paths: Iterable[str] | None = None) -> list[VideoDevice]:
    """Every V4L2 node that answers (nodes that cannot be opened are skipped)."""
    devices = []
    for path in sorted(glob.glob(DEVICE_GLOB)) if paths is None else paths:
        try:
            fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        except OSError as exc:
            log.debug("Cannot open %s: %s", path, exc)
            continue
        try:
            devices.append(describe(path, fd))
        except OSError as exc:
            log.debug("%s is not a V4L2 device: %s", path, exc)
        finally:
            os.close(fd)
    return devices


def h264_encoder_device(devices: Iterable[VideoDevice]) -> VideoDevice | None:
    """The first H.264 memory-to-memory encoder among `devices`, or None."""
    return next((device for device in devices if device.is_h264_encoder), None)
