"""The kiosk encodes its own video and hands aiortc `av.Packet`s: end to end against the
simulator, and the track on its own.

The Pi 4's hardware H.264 path (h264_v4l2m2m) cannot run here: libx264 stands in
for it, set up as the V4L2 encoder behaves (parameter sets only out of band, its
GOP), and chosen through `auto` from a device list that has an M2M encoder. The
rest of the path is the production one: the choice, the packet-yielding track,
the inline SPS/PPS, aiortc's sender packetizing, the far end decoding.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Callable
from fractions import Fraction
from typing import Any

import pytest
from av import VideoFrame
from av.packet import Packet

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.encode_load import ScalerTuning
from kiosk.media.encoded_video_track import EncodedVideoTrack, EncodingOptions
from kiosk.media.encoder_choice import EncoderChoice, EncoderPreference
from kiosk.media.frame_encoder import FrameEncoder
from kiosk.media.h264_parameter_sets import NAL_IDR, NAL_PPS, NAL_SPS, nal_type, nal_units
from kiosk.media.peer_call import AiortcMediaCall
from kiosk.media.sender_link import SENDER_ENCODER_ATTRIBUTE, EstimatingPacketizer
from kiosk.media.test_pattern import TestPatternTrack
from kiosk.media.v4l2_devices import VideoDevice, fourcc
from kiosk.media.video_encoder_settings import (
    M2M_IDR_SECONDS,
    EncoderKind,
    EncoderSetup,
    encoder_setup,
)
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread

pytestmark = pytest.mark.timeout(120)

ROOM = "meet.open"
PI4_ENCODER = VideoDevice("/dev/video11", "bcm2835-codec-encode", True,
                          frozenset({fourcc("H264")}), frozenset({fourcc("YU12")}))


def stand_in_setup(kind: EncoderKind, width: int, height: int, bitrate: int, fps: int,
                   cores: int) -> EncoderSetup:
    """libx264 in place of h264_v4l2m2m: the M2M encoder's GOP, SPS/PPS only in extradata."""
    if kind is not EncoderKind.H264_V4L2M2M:
        return encoder_setup(kind, width, height, bitrate, fps, cores)
    hardware = encoder_setup(kind, width, height, bitrate, fps, cores)
    software = encoder_setup(EncoderKind.H264_SOFTWARE, width, height, bitrate, fps, cores)
    return dataclasses.replace(software, gop_size=hardware.gop_size, global_header=True)


def stand_in_encoder(kind: EncoderKind, fps: int, cores: int) -> FrameEncoder:
    return FrameEncoder(kind, fps, cores, setup_factory=stand_in_setup)


class ThrottledEncoder(FrameEncoder):
    """A deliberately slow encoder (a small board at its limit) while `slow` is set:
    frames bigger than `fast_pixels` take `extra_seconds` longer."""

    def __init__(self, kind: EncoderKind, fps: int, cores: int, slow: threading.Event,
                 fast_pixels: int, extra_seconds: float) -> None:
        super().__init__(kind, fps, cores)
        self._slow, self._fast_pixels, self._extra = slow, fast_pixels, extra_seconds

    def encode(self, frame: VideoFrame, width: int, height: int, bitrate: int,
               keyframe: bool) -> list[Packet]:
        if self._slow.is_set() and width * height > self._fast_pixels:
            time.sleep(self._extra)
        return super().encode(frame, width, height, bitrate, keyframe)


@pytest.fixture
async def sessions() -> AsyncIterator[list[ConferenceSession]]:
    opened: list[ConferenceSession] = []
    yield opened
    for session in opened:
        await session.leave()


async def join(sessions: list[ConferenceSession], settings: Settings,
               factory: AiortcMediaFactory) -> AiortcMediaCall:
    session = ConferenceSession(settings, media_factory=factory)
    sessions.append(session)
    await session.join(ROOM)
    assert session.snapshot.state is SessionState.CONNECTED, session.snapshot
    media = session.media_call
    assert isinstance(media, AiortcMediaCall)
    return media


async def far_end_call(simulator: SimulatorThread) -> dict[str, Any]:
    state = await asyncio.to_thread(simulator.control.room, ROOM)
    return next(p for p in state["participants"] if p["display_name"] == "Test room")


async def far_end_until(simulator: SimulatorThread, predicate: Callable[[dict[str, Any]], bool],
                        what: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        media = (await far_end_call(simulator))["calls"][-1]["media"]
        if predicate(media):
            return media
        if time.monotonic() > deadline:
            raise AssertionError(f"the far end never saw {what}: {media}")
        await asyncio.sleep(0.2)


def media_settings(sim_settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(sim_settings, camera="test", microphone="test", speaker="test",
                               camera_size=(640, 360), ice_timeout_seconds=5.0, **changes)


async def test_h264_through_the_hardware_path_with_a_software_stand_in(
    simulator: SimulatorThread, sim_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    settings = media_settings(sim_settings, video_codecs=("H264",))
    choice = EncoderChoice(EncoderPreference.AUTO, lambda: [PI4_ENCODER])
    factory = AiortcMediaFactory(settings, encoder_choice=choice,
                                 encoding=EncodingOptions(frame_encoder=stand_in_encoder))
    media = await join(sessions, settings, factory)
    counters = await far_end_until(simulator, lambda m: m["video_frames_received"] >= 60,
                                   "60 frames")
    assert counters["video_resolution"] == [640, 360]
    assert (await media.stats()).codec == "H264"
    track = media.video_encoding
    assert track is not None and track.encoder_kind is EncoderKind.H264_V4L2M2M
    # aiortc only packetizes: its codec object is wrapped for estimates, never encodes.
    sender = next(t.sender for t in media.peer_connection.getTransceivers()
                  if t.kind == "video")
    assert isinstance(getattr(sender, SENDER_ENCODER_ATTRIBUTE), EstimatingPacketizer)
    assert track.parameter_sets_inserted >= 1  # the opening IDR got its SPS/PPS from us

    # The far end loses the picture and sends a PLI: a new IDR arrives and decodes.
    keyframes = counters["video_keyframes_received"]
    assert keyframes >= 1
    participant = (await far_end_call(simulator))["uuid"]
    sent = await asyncio.to_thread(simulator.control.request_keyframe, ROOM, participant)
    assert sent["requests_sent"] >= 1
    await far_end_until(simulator, lambda m: m["video_keyframes_received"] > keyframes,
                        "a keyframe after its PLI")
    assert track.counters.keyframes_requested >= 1
    assert track.parameter_sets_inserted >= 2
    before = (await far_end_call(simulator))["calls"][-1]["media"]["video_frames_received"]
    await far_end_until(simulator, lambda m: m["video_frames_received"] >= before + 30,
                        "frames going on after the keyframe")


async def test_a_slow_encoder_steps_the_resolution_down_and_back_up(
    simulator: SimulatorThread, sim_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    settings = media_settings(sim_settings)
    slow = threading.Event()

    def throttled(kind: EncoderKind, fps: int, cores: int) -> FrameEncoder:
        return ThrottledEncoder(kind, fps, cores, slow, fast_pixels=320 * 180,
                                extra_seconds=0.045)

    tuning = ScalerTuning(smoothing_seconds=0.3, hold_seconds=0.5, up_wait_seconds=1.0)
    factory = AiortcMediaFactory(settings,
                                 encoding=EncodingOptions(frame_encoder=throttled, scaler=tuning))
    media = await join(sessions, settings, factory)
    await far_end_until(simulator, lambda m: m["video_resolution"] == [640, 360], "640x360")
    slow.set()  # encoding now takes longer than the frame time
    await far_end_until(simulator, lambda m: m["video_resolution"] == [320, 180],
                        "the picture stepped down to 320x180")
    track = media.video_encoding
    assert track is not None and track.scaler.steps_down == 2  # via 480x270
    slow.clear()  # room again
    await far_end_until(simulator, lambda m: m["video_resolution"] == [640, 360],
                        "the picture back at 640x360")
    assert track.scaler.steps_up == 2
    assert (await media.stats()).resolution_sent == (640, 360)


class SteppingClock:
    """Time that moves one second per reading: periodic events come quickly."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


async def next_packets(track: EncodedVideoTrack, count: int) -> list[Packet]:
    return [await track.recv() for _ in range(count)]


async def test_the_track_yields_packets_keyframes_on_request_and_periodic_idrs() -> None:
    source = TestPatternTrack(320, 180, 30, "Track test")
    choice = EncoderChoice(EncoderPreference.V4L2M2M, lambda: [PI4_ENCODER])
    clock = SteppingClock()
    track = EncodedVideoTrack(source, codec=lambda: "H264", choice=choice, ceiling=(320, 180),
                              fps=30, cap_bps=None,
                              options=EncodingOptions(frame_encoder=stand_in_encoder),
                              clock=clock)
    try:
        packets = await next_packets(track, 3)
        assert all(isinstance(p, Packet) and p.time_base == Fraction(1, 90000) for p in packets)
        assert [p.pts for p in packets] == sorted(p.pts for p in packets)
        assert packets[0].is_keyframe and not packets[1].is_keyframe
        for packet in (p for p in packets if p.is_keyframe):
            kinds = [nal_type(unit) for unit in nal_units(bytes(packet))]
            assert kinds[:2] == [NAL_SPS, NAL_PPS] and NAL_IDR in kinds  # inline parameter sets

        track.request_keyframe()  # what a PLI does
        assert (await track.recv()).is_keyframe
        # The hardware path also sends an IDR every M2M_IDR_SECONDS without being asked.
        later = await next_packets(track, round(M2M_IDR_SECONDS) + 2)
        assert any(p.is_keyframe for p in later)
        assert track.counters.keyframes_requested == 1
        assert track.counters.encoders_opened == 1  # one size, one bitrate: never re-opened
    finally:
        track.stop()
