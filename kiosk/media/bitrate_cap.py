"""Keeping the outgoing video within the token's `bandwidth_out`.

aiortc's video encoders pick their bitrate from the far end's REMB estimates
(up to 1.5 Mbps for VP8, 3 Mbps for H.264) and offer no ceiling. The sender
creates its encoder lazily and keeps it in a private attribute, so the cap is
installed by wrapping that encoder in `CappedEncoder` once it exists (checked
before every frame, which also covers an encoder re-created after
renegotiation).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpSender

log = logging.getLogger(__name__)

AUDIO_RESERVE_KBPS = 140  # aiortc sends Opus at ~96 kbit/s: ~134 kbit/s on the wire measured
# The cap counts encoded video; RTP, SRTP, UDP and IP headers come on top (~4 % at 1200-byte
# packets), and bandwidth_out is what goes on the wire.
VIDEO_HEADER_SHARE = 0.05
# The encoder is aimed this far below the cap: libvpx overshoots by a few percent, which the
# gain loop does not correct (it acts above 10 %, and aiortc ignores smaller changes), and
# the overshoot would otherwise be cut by skipping frames (~28 fps instead of 30).
ENCODER_HEADROOM = 0.9
SENDER_ENCODER_ATTRIBUTE = "_RTCRtpSender__encoder"


def video_bitrate_cap_bps(bandwidth_out_kbps: int | None) -> int | None:
    """The video encoder's ceiling in bit/s for a total outgoing budget in kbit/s (None = none)."""
    if bandwidth_out_kbps is None or bandwidth_out_kbps <= 0:
        return None
    on_the_wire = max(bandwidth_out_kbps - AUDIO_RESERVE_KBPS, 0) * 1000
    return int(on_the_wire * (1 - VIDEO_HEADER_SHARE))


class CappedEncoder:
    """An aiortc encoder whose real output stays within `cap_bps`.

    aiortc's libvpx settings overshoot the target bitrate (about twice the
    target on a busy picture), so the cap is a closed loop on what actually
    comes out: the wrapped encoder's target is scaled down by the measured
    overshoot (in rare, large steps: each change restarts the encoder with a
    keyframe), and frames are skipped while the output is more than
    `burst_seconds` of budget ahead, which holds the cap even for pictures
    the encoder cannot squeeze that far (sensor noise at its worst quality).
    One second of burst lets the opening keyframe through without starving the
    first seconds of a call of frames.
    """

    def __init__(
        self,
        inner: Any,
        cap_bps: int,
        clock: Callable[[], float] = time.monotonic,
        adjust_seconds: float = 3.0,
        burst_seconds: float = 1.0,
    ) -> None:
        self._inner = inner
        self._cap_bps = cap_bps
        self._clock = clock
        self._adjust_seconds = adjust_seconds
        self._burst_bits = cap_bps * burst_seconds
        self._requested = int(inner.target_bitrate)
        self._gain = 1.0
        now = clock()
        self._window_start = now
        self._window_bits = 0
        self._window_offered = 0
        self._window_encoded = 0
        self._bucket_at = now
        self._bucket_bits = 0.0  # bits sent beyond the budget so far (never below zero)
        self.skipped_frames = 0
        self._apply()

    @property
    def allowed_bps(self) -> int:
        """What the output may reach now: the far end's estimate, at most the cap."""
        return min(self._requested, self._cap_bps)

    def encode(self, frame: Any, force_keyframe: bool = False) -> tuple[list[bytes], int | None]:
        """Encode through the wrapped encoder, or skip the frame while over budget."""
        now = self._clock()
        self._drain(now)
        self._window_offered += 1
        if self._bucket_bits > self._burst_bits and not force_keyframe:
            self.skipped_frames += 1
            self._adjust(now)
            return [], None
        payloads, timestamp = self._inner.encode(frame, force_keyframe)
        bits = 8 * sum(len(p) for p in payloads)
        self._bucket_bits += bits
        self._window_bits += bits
        self._window_encoded += 1
        self._adjust(now)
        return payloads, timestamp

    def pack(self, packet: Any) -> tuple[list[bytes], int]:
        """Packetize pre-encoded data through the wrapped encoder."""
        return self._inner.pack(packet)

    @property
    def target_bitrate(self) -> int:
        """The bitrate asked for (by aiortc from the far end's REMB), at most the cap."""
        return self.allowed_bps

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self._requested = int(bitrate)
        self._apply()

    def _drain(self, now: float) -> None:
        self._bucket_bits = max(0.0, self._bucket_bits - (now - self._bucket_at) * self.allowed_bps)
        self._bucket_at = now

    def _adjust(self, now: float) -> None:
        elapsed = now - self._window_start
        if elapsed < self._adjust_seconds or not self._window_encoded:
            return
        # What the encoder would send if no frame were skipped: the loop steers the
        # encoder so that skipping stays the exception.
        actual = self._window_bits / self._window_encoded * self._window_offered / elapsed
        allowed = self.allowed_bps
        gain = self._gain
        if actual > allowed * 1.1:
            gain = max(0.05, gain * allowed / actual)
        elif actual < allowed * 0.6 and gain < 1.0:
            gain = min(1.0, gain * 1.25)
        self._window_start, self._window_bits = now, 0
        self._window_offered = self._window_encoded = 0
        if gain != self._gain:
            self._gain = gain
            self._apply()

    def _apply(self) -> None:
        wanted = max(1, int(self.allowed_bps * self._gain * ENCODER_HEADROOM))
        self._inner.target_bitrate = wanted
        if self._inner.target_bitrate > wanted:
            # The encoder clamps at its floor (VP8 250 kbps, H.264 500 kbps), which libvpx
            # overshoots; below the floor only its private field takes the value.
            field = f"_{type(self._inner).__name__}__target_bitrate"
            if hasattr(self._inner, field):
                setattr(self._inner, field, wanted)


class BitrateCapInstaller:
    """Called before each outgoing frame: wraps the sender's encoder once it exists."""

    def __init__(self, sender: RTCRtpSender, cap_bps: int) -> None:
        self._sender = sender
        self._cap_bps = cap_bps
        self._unsupported = False

    def __call__(self) -> None:
        """Install the cap if the sender has a new, uncapped encoder."""
        if self._unsupported:
            return
        if not hasattr(self._sender, SENDER_ENCODER_ATTRIBUTE):
            # A future aiortc keeps its encoder elsewhere: say so once, send uncapped.
            log.warning("Cannot cap the video bitrate with this aiortc version")
            self._unsupported = True
            return
        encoder = getattr(self._sender, SENDER_ENCODER_ATTRIBUTE)
        if encoder is None or isinstance(encoder, CappedEncoder):
            return
        if not hasattr(encoder, "target_bitrate"):
            return
        setattr(self._sender, SENDER_ENCODER_ATTRIBUTE, CappedEncoder(encoder, self._cap_bps))
        log.debug("Video bitrate capped at %d kbit/s", self._cap_bps // 1000)
