"""Cheap, local checks of the room's devices and network for the status line and admin screen.

Nothing here opens a device or sends traffic: it looks at /dev and the
interface list only, so it is safe to call from the UI thread.
"""

from __future__ import annotations

import enum
import glob
import socket
from dataclasses import dataclass
from pathlib import Path

import psutil

from kiosk.config import Settings


class CameraPresence(enum.Enum):
    """What the home screen says about the camera before a call."""

    FOUND = "found"
    TEST = "test"
    MISSING = "missing"
    DISABLED = "disabled"


@dataclass(frozen=True)
class DeviceInventory:
    """Video and sound device nodes seen under /dev."""

    video: tuple[str, ...]
    capture: tuple[str, ...]
    playback: tuple[str, ...]


def scan_devices(dev: Path = Path("/dev")) -> DeviceInventory:
    """List camera nodes and ALSA capture/playback PCMs present now."""
    video = tuple(sorted(glob.glob(str(dev / "video*"))))
    capture = tuple(sorted(glob.glob(str(dev / "snd" / "pcmC*D*c"))))
    playback = tuple(sorted(glob.glob(str(dev / "snd" / "pcmC*D*p"))))
    return DeviceInventory(video=video, capture=capture, playback=playback)


def camera_presence(settings: Settings, inventory: DeviceInventory) -> CameraPresence:
    """Whether the configured camera can be expected to work."""
    choice = settings.camera.strip().lower()
    if choice == "none":
        return CameraPresence.DISABLED
    if choice == "test":
        return CameraPresence.TEST
    if choice in ("auto", "picamera"):
        # libcamera exposes Pi camera modules as video nodes too.
        return CameraPresence.FOUND if inventory.video else CameraPresence.MISSING
    return CameraPresence.FOUND if Path(settings.camera).exists() else CameraPresence.MISSING


def ip_addresses() -> tuple[str, ...]:
    """The machine's non-loopback IPv4 addresses (and IPv6 globals), from the interface list."""
    addresses: list[str] = []
    for name, entries in sorted(psutil.net_if_addrs().items()):
        if name == "lo":
            continue
        for entry in entries:
            if entry.family == socket.AF_INET and not entry.address.startswith("127."):
                addresses.append(entry.address)
            elif entry.family == socket.AF_INET6 and not entry.address.startswith(("fe80", "::1")):
                addresses.append(entry.address.split("%")[0])
    return tuple(addresses)
