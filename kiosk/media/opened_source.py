"""What opening a camera, microphone or speaker gives: a track (or none) and a status."""

from __future__ import annotations

from dataclasses import dataclass

from aiortc import MediaStreamTrack

from kiosk.i18n.message import fixed_message
from kiosk.session_state import DeviceState, DeviceStatus

# Why a device is not used, shown on the admin screen in the room's language.
TURNED_OFF = {
    "Camera": fixed_message("camera_turned_off", "Camera turned off in the settings"),
    "Microphone": fixed_message("microphone_turned_off", "Microphone turned off in the settings"),
}
OTHER_TURNED_OFF = fixed_message("device_turned_off", "Turned off in the settings")


class DeviceUnavailable(Exception):
    """A configured device could not be opened; `str()` is the reason for the room screen
    (a `Message`, so the admin screen shows it in the room's language)."""


@dataclass
class OpenedSource:
    """A local media source: the track to send (None = nothing to send) and its status."""

    status: DeviceStatus
    track: MediaStreamTrack | None = None
    label: str = ""  # which device it is, for logs ("/dev/video0", "test pattern")

    def stop(self) -> None:
        """Stop the track (and with it the device). Safe to call twice."""
        if self.track is not None:
            self.track.stop()


def disabled(what: str) -> OpenedSource:
    """A device configured as `none`."""
    return OpenedSource(DeviceStatus(DeviceState.DISABLED, TURNED_OFF.get(what, OTHER_TURNED_OFF)))


def unavailable(reason: str) -> OpenedSource:
    """A device that is configured but cannot be used now."""
    return OpenedSource(DeviceStatus(DeviceState.UNAVAILABLE, reason))


def active(track: MediaStreamTrack, label: str) -> OpenedSource:
    """A device that opened."""
    return OpenedSource(DeviceStatus(DeviceState.ACTIVE), track, label)
