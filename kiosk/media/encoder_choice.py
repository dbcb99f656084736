"""KIOSK_VIDEO_ENCODER: which encoder sends H.264 (auto, software, v4l2m2m).

`auto` uses the V4L2 memory-to-memory H.264 encoder when the machine has one
(a Raspberry Pi 4) and libx264 otherwise; `v4l2m2m` asks for it and falls back
to software with a warning when there is none; `software` never uses it. VP8 is
always libvpx (no board here has a VP8 encoder block). The device list is
probed once per media factory; tests pass their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from enum import Enum

from kiosk.media.v4l2_devices import VideoDevice, h264_encoder_device, probe_devices
from kiosk.media.video_encoder_settings import EncoderKind

log = logging.getLogger(__name__)


class EncoderPreference(Enum):
    """The values of KIOSK_VIDEO_ENCODER."""

    AUTO = "auto"
    SOFTWARE = "software"
    V4L2M2M = "v4l2m2m"


class EncoderChoice:
    """Picks the encoder for each negotiated codec; probes the devices at most once."""

    def __init__(
        self,
        preference: EncoderPreference,
        devices: Callable[[], Sequence[VideoDevice]] = probe_devices,
    ) -> None:
        self._preference = preference
        self._devices = devices
        self._h264: EncoderKind | None = None

    def for_codec(self, codec: str) -> EncoderKind:
        """The encoder for `codec` ("VP8" or "H264", as negotiated)."""
        if codec.upper() != "H264":
            return EncoderKind.VP8_SOFTWARE
        if self._h264 is None:
            self._h264 = self._choose_h264()
        return self._h264

    def _choose_h264(self) -> EncoderKind:
        if self._preference is EncoderPreference.SOFTWARE:
            return EncoderKind.H264_SOFTWARE
        device = h264_encoder_device(self._devices())
        if device is not None:
            log.info("H.264 is encoded by the hardware encoder %s (%s)", device.path, device.card)
            return EncoderKind.H264_V4L2M2M
        if self._preference is EncoderPreference.V4L2M2M:
            log.warning("KIOSK_VIDEO_ENCODER=v4l2m2m but no V4L2 H.264 encoder was found: "
                        "encoding H.264 in software")
        return EncoderKind.H264_SOFTWARE
