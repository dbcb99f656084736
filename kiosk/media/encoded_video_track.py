"""The video track the sender gets: the kiosk's own encoder, yielding `av.Packet`s.

aiortc sends pre-encoded video when a track yields packets (it only packetizes
them), so the kiosk chooses and tunes the encoder itself instead of aiortc's
fixed settings: libvpx or libx264 set up for small boards
(`video_encoder_settings`), or the Pi 4's hardware H.264 encoder through
FFmpeg's h264_v4l2m2m. Per frame it:

- asks the `EncodeLoadScaler` which size to send (the camera size is the ceiling;
  it steps down when encoding takes too much of the frame time, and back up);
- opens the encoder at the far end's estimate within the cap (`bitrate_cap`);
- encodes in a worker thread and times it;
- forces a keyframe when the far end asked (PLI/FIR, through `SenderLink`), and
  an IDR every `M2M_IDR_SECONDS` on the hardware encoder;
- puts the SPS/PPS in front of every H.264 IDR (`ParameterSetInliner`).

If the hardware encoder cannot be opened the call goes on with libx264.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import MediaStreamTrack, RTCRtpSender
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame
from av.packet import Packet

from kiosk.media.bitrate_cap import BitrateBudget, TargetBitrate
from kiosk.media.encode_load import EncodeLoadScaler, ScalerTuning
from kiosk.media.encoder_choice import EncoderChoice
from kiosk.media.frame_encoder import EncoderUnavailable, FrameEncoder
from kiosk.media.h264_parameter_sets import ParameterSetInliner
from kiosk.media.rate_meter import RateMeter
from kiosk.media.sender_link import SenderLink
from kiosk.media.video_encoder_settings import M2M_IDR_SECONDS, VIDEO_TIME_BASE, EncoderKind

log = logging.getLogger(__name__)

FrameEncoderFactory = Callable[[EncoderKind, int, int], FrameEncoder]  # kind, fps, cores
H264_KINDS = frozenset({EncoderKind.H264_SOFTWARE, EncoderKind.H264_V4L2M2M})


@dataclass(frozen=True)
class EncodingOptions:
    """How a call's video is encoded; tests slow the encoder or shorten the scaler's times."""

    frame_encoder: FrameEncoderFactory = FrameEncoder
    scaler: ScalerTuning = field(default_factory=ScalerTuning)
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)


@dataclass
class EncodingCounters:
    """What the encoding did so far (stats, benchmarks, tests)."""

    frames_encoded: int = 0
    frames_skipped: int = 0  # over the bitrate budget
    keyframes_requested: int = 0  # by the far end (PLI/FIR)
    keyframes_sent: int = 0
    encoders_opened: int = 0
    encode_seconds: float = 0.0  # summed wall time in the encoder


class EncodedVideoTrack(MediaStreamTrack):
    """Encodes the frames of `source` for the negotiated codec (see the module docstring)."""

    kind = "video"

    def __init__(
        self,
        source: MediaStreamTrack,
        codec: Callable[[], str],
        choice: EncoderChoice,
        ceiling: tuple[int, int],
        fps: int,
        cap_bps: int | None,
        options: EncodingOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._source = source
        self._codec = codec
        self._choice = choice
        self._fps = fps
        self._options = options or EncodingOptions()
        self._clock = clock
        self._scaler = EncodeLoadScaler(ceiling, fps, self._options.scaler)
        self._budget = BitrateBudget(cap_bps, clock()) if cap_bps else None
        self._encoder: FrameEncoder | None = None
        self._hardware_failed = False
        self._inliner: ParameterSetInliner | None = None
        self._inserted_before = 0  # by the inliners of encoders closed since
        self._pending: deque[Packet] = deque()
        self._keyframe_wanted = False
        self._last_keyframe_at: float | None = None
        self._estimate_bps: int | None = None
        self._target = TargetBitrate(cap_bps, clock())
        self._link: SenderLink | None = None
        self.meter = RateMeter()  # frames sent, at the size sent
        self.counters = EncodingCounters()

    @property
    def scaler(self) -> EncodeLoadScaler:
        """The adaptive resolution (its level and load)."""
        return self._scaler

    @property
    def encoder_kind(self) -> EncoderKind | None:
        """The encoder in use, or None before the first frame."""
        return self._encoder.kind if self._encoder is not None else None

    @property
    def parameter_sets_inserted(self) -> int:
        """H.264 IDRs that got their SPS/PPS from us (the encoder gave them apart)."""
        return self._inserted_before + (self._inliner.inserted if self._inliner else 0)

    @property
    def bitrate_bps(self) -> int:
        """The bitrate the encoder is (or will be) opened at."""
        return self._target.value

    def attach(self, sender: RTCRtpSender) -> None:
        """Take keyframe requests and bandwidth estimates from the sender that sends us."""
        self._link = SenderLink(sender, self.request_keyframe, self.set_estimate)

    def request_keyframe(self) -> None:
        """The far end lost the picture (PLI) or asks for a full one (FIR)."""
        self._keyframe_wanted = True
        self.counters.keyframes_requested += 1

    def set_estimate(self, bitrate_bps: int) -> None:
        """The far end's estimate of the bandwidth (REMB); the cap still applies."""
        self._estimate_bps = bitrate_bps

    async def recv(self) -> Packet:
        """The next encoded frame."""
        if self.readyState != "live":
            raise MediaStreamError
        while not self._pending:
            frame = await self._source.recv()
            if self.readyState != "live":
                raise MediaStreamError
            await self._encode(frame)
        if self._link is not None:
            self._link()
        return self._pending.popleft()

    async def _encode(self, frame: VideoFrame) -> None:
        now = self._clock()
        if self._budget is not None and self._budget.over(now) and not self._keyframe_wanted:
            self.counters.frames_skipped += 1
            return
        encoder = self._encoder_for(self._choice.for_codec(self._codec() or "VP8"))
        width, height = self._scaler.size_for(frame.width, frame.height)
        bitrate = self._target.update(self._estimate_bps, now)
        keyframe = self._keyframe_wanted or self._periodic_idr_due(encoder.kind, now)
        self._keyframe_wanted = False
        opened_before = encoder.opened
        loop = asyncio.get_running_loop()
        try:
            packets, seconds = await loop.run_in_executor(
                None, _timed_encode, encoder, frame, width, height, bitrate, keyframe
            )
        except EncoderUnavailable as exc:
            if encoder.kind is not EncoderKind.H264_V4L2M2M:
                log.error("The video encoder failed: %s", exc)
                raise MediaStreamError(str(exc)) from None
            log.warning("The hardware H.264 encoder failed (%s): encoding in software", exc)
            self._hardware_failed = True
            self._encoder = None
            return
        if encoder.opened != opened_before:
            self.counters.encoders_opened += 1
            self._inserted_before = self.parameter_sets_inserted
            self._inliner = (
                ParameterSetInliner(encoder.extradata) if encoder.kind in H264_KINDS else None
            )
        done = self._clock()
        self.counters.frames_encoded += 1
        self.counters.encode_seconds += seconds
        self._scaler.record(seconds, done)
        for packet in packets:
            ready = self._ready(packet, frame)
            if ready is None:
                continue
            if ready.is_keyframe:
                self.counters.keyframes_sent += 1
                self._last_keyframe_at = done
            if self._budget is not None:
                self._budget.spend(8 * ready.size, done)
            self.meter.tick((width, height))
            self._pending.append(ready)

    def _encoder_for(self, kind: EncoderKind) -> FrameEncoder:
        if kind is EncoderKind.H264_V4L2M2M and self._hardware_failed:
            kind = EncoderKind.H264_SOFTWARE
        encoder = self._encoder
        if encoder is None or encoder.kind is not kind:
            if encoder is not None:
                encoder.close()
            encoder = self._options.frame_encoder(kind, self._fps, self._options.cores)
            self._encoder = encoder
        return encoder

    def _periodic_idr_due(self, kind: EncoderKind, now: float) -> bool:
        if kind is not EncoderKind.H264_V4L2M2M or self._last_keyframe_at is None:
            return False
        return now - self._last_keyframe_at >= M2M_IDR_SECONDS

    def _ready(self, packet: Packet, frame: VideoFrame) -> Packet | None:
        """The packet as it goes out: on the 90 kHz clock, IDRs with their SPS/PPS."""
        if packet.pts is None:
            packet.pts = frame.pts
        if packet.time_base is None:
            packet.time_base = VIDEO_TIME_BASE
        if self._inliner is None:
            return packet
        data = bytes(packet)
        rewritten = self._inliner.process(data)
        if rewritten is None:
            return None  # parameter sets alone: they go out in front of the next IDR
        if rewritten is data:
            return packet
        out = Packet(rewritten)
        out.pts, out.dts, out.time_base = packet.pts, packet.dts, packet.time_base
        out.is_keyframe = True
        return out

    def stop(self) -> None:
        """End the track and its source."""
        super().stop()
        self._source.stop()
        if self._encoder is not None:
            self._encoder.close()


def _timed_encode(
    encoder: FrameEncoder, frame: VideoFrame, width: int, height: int, bitrate: int,
    keyframe: bool,
) -> tuple[list[Packet], float]:
    started = time.perf_counter()
    packets = encoder.encode(frame, width, height, bitrate, keyframe)
    return packets, time.perf_counter() - started

