"""KIOSK_VIDEO_ENCODER: the hardware H.264 encoder is used when V4L2 says there is one.

No V4L2 M2M device exists here, so the devices are described by fakes: a device
list for the choice, and a fake ioctl answering as a Pi 4's bcm2835-codec nodes
do for the probing code.
"""

from __future__ import annotations

import errno
import logging

import pytest

from kiosk.media.encoder_choice import EncoderChoice, EncoderPreference
from kiosk.media.v4l2_devices import (
    BUF_TYPE_CAPTURE_MPLANE,
    BUF_TYPE_OUTPUT_MPLANE,
    CAPABILITY_STRUCT,
    FMTDESC_STRUCT,
    V4L2_CAP_DEVICE_CAPS,
    V4L2_CAP_VIDEO_M2M_MPLANE,
    VIDIOC_ENUM_FMT,
    VIDIOC_QUERYCAP,
    VideoDevice,
    describe,
    fourcc,
    h264_encoder_device,
)
from kiosk.media.video_encoder_settings import EncoderKind

V4L2_CAP_VIDEO_CAPTURE = 0x1
V4L2_CAP_STREAMING = 0x04000000


def device(path: str, m2m: bool, capture: tuple[str, ...], output: tuple[str, ...]) -> VideoDevice:
    return VideoDevice(path, path, m2m, frozenset(map(fourcc, capture)),
                       frozenset(map(fourcc, output)))


PI4 = [
    device("/dev/video0", False, ("MJPG", "YUYV"), ()),  # a USB webcam
    device("/dev/video10", True, ("YU12", "NV12"), ("H264", "MJPG")),  # decoder
    device("/dev/video11", True, ("H264",), ("YU12", "NV12", "RGB3")),  # encoder
    device("/dev/video12", True, ("YU12",), ("YU12", "RGB3")),  # ISP
]
PI5 = [device("/dev/video0", False, ("MJPG",), ()),
       device("/dev/video19", True, ("NV12",), ("HEVC",))]  # HEVC decoder only


def choice(preference: str, devices: list[VideoDevice]) -> tuple[EncoderChoice, list[int]]:
    probes: list[int] = []

    def probe() -> list[VideoDevice]:
        probes.append(1)
        return devices

    return EncoderChoice(EncoderPreference(preference), probe), probes


def test_auto_uses_the_m2m_encoder_of_a_pi4_and_probes_once() -> None:
    picked, probes = choice("auto", PI4)
    assert h264_encoder_device(PI4) is PI4[2]
    assert picked.for_codec("H264") is EncoderKind.H264_V4L2M2M
    assert picked.for_codec("h264") is EncoderKind.H264_V4L2M2M
    assert picked.for_codec("VP8") is EncoderKind.VP8_SOFTWARE  # no VP8 hardware
    assert len(probes) == 1


def test_auto_without_an_encoder_device_encodes_in_software() -> None:
    for devices in (PI5, []):
        picked, _ = choice("auto", devices)
        assert picked.for_codec("H264") is EncoderKind.H264_SOFTWARE


def test_software_never_probes_and_v4l2m2m_falls_back_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    picked, probes = choice("software", PI4)
    assert picked.for_codec("H264") is EncoderKind.H264_SOFTWARE and not probes
    with caplog.at_level(logging.WARNING):
        picked, _ = choice("v4l2m2m", PI5)
        assert picked.for_codec("H264") is EncoderKind.H264_SOFTWARE
    assert "no V4L2 H.264 encoder" in caplog.text


class FakeNode:
    """Answers VIDIOC_QUERYCAP and VIDIOC_ENUM_FMT like a V4L2 driver."""

    def __init__(self, card: str, caps: int, formats: dict[int, list[str]]) -> None:
        self.card, self.caps, self.formats = card, caps, formats

    def ioctl(self, _fd: int, request: int, buffer: bytearray) -> int:
        if request == VIDIOC_QUERYCAP:
            buffer[:] = CAPABILITY_STRUCT.pack(
                b"bcm2835-codec", self.card.encode(), b"platform:bcm2835-codec", 0x60000,
                self.caps | V4L2_CAP_DEVICE_CAPS, self.caps,
            )
            return 0
        if request == VIDIOC_ENUM_FMT:
            index, buffer_type = FMTDESC_STRUCT.unpack(buffer)[:2]
            listed = self.formats.get(buffer_type, [])
            if index >= len(listed):
                raise OSError(errno.EINVAL, "no such format")
            buffer[:] = FMTDESC_STRUCT.pack(index, buffer_type, 0, b"", fourcc(listed[index]), 0)
            return 0
        raise OSError(errno.ENOTTY, "unknown ioctl")


def test_probing_reads_capabilities_and_formats_from_v4l2() -> None:
    encoder = FakeNode(
        "bcm2835-codec-encode", V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_STREAMING,
        {BUF_TYPE_CAPTURE_MPLANE: ["H264"], BUF_TYPE_OUTPUT_MPLANE: ["YU12", "NV12", "RGB3"]},
    )
    described = describe("/dev/video11", 3, encoder.ioctl)
    assert described.card == "bcm2835-codec-encode"
    assert described.memory_to_memory and described.is_h264_encoder
    assert described.output_formats == frozenset(map(fourcc, ["YU12", "NV12", "RGB3"]))

    decoder = FakeNode(
        "bcm2835-codec-decode", V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_STREAMING,
        {BUF_TYPE_CAPTURE_MPLANE: ["YU12"], BUF_TYPE_OUTPUT_MPLANE: ["H264"]},
    )
    assert not describe("/dev/video10", 3, decoder.ioctl).is_h264_encoder
    webcam = FakeNode("USB Camera", V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING, {})
    described = describe("/dev/video0", 3, webcam.ioctl)
    assert not described.memory_to_memory and not described.is_h264_encoder
