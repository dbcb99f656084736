"""Keeping the outgoing video within the token's `bandwidth_out`.

The kiosk encodes its video itself (`encoded_video_track`): the encoder is
opened at `encoder_bitrate(...)`, the far end's estimate (REMB) but never more
than the cap, aimed a little under it. Neither libvpx nor libx264 (as FFmpeg
wraps them) takes a new bitrate while open, and re-opening costs a keyframe, so
`TargetBitrate` follows the estimate only on a real change: down by more than
10 % (after a second), up by more than 20 % (after five). `BitrateBudget` is the safety net on what
actually comes out: a frame is skipped only while the output is more than one
second of budget ahead, which a well-set encoder never reaches (the opening
keyframe is a fraction of a second's budget and goes through).
"""

from __future__ import annotations

AUDIO_RESERVE_KBPS = 140  # aiortc sends Opus at ~96 kbit/s: ~134 kbit/s on the wire measured
# The cap counts encoded video; RTP, SRTP, UDP and IP headers come on top (~4 % at 1200-byte
# packets), and bandwidth_out is what goes on the wire.
VIDEO_HEADER_SHARE = 0.05
# The encoder is aimed this far below the cap: libx264's VBV lands a few percent above its
# target, and a steady overshoot would fill the budget until frames are skipped.
ENCODER_HEADROOM = 0.9
DEFAULT_START_BPS = 1_000_000  # no cap and no estimate yet
MAX_VIDEO_BPS = 2_500_000  # never more, whatever the far end estimates
MIN_VIDEO_BPS = 100_000
DOWN_STEP, DOWN_AFTER_SECONDS = 0.10, 1.0
UP_STEP, UP_AFTER_SECONDS = 0.20, 5.0


def video_bitrate_cap_bps(bandwidth_out_kbps: int | None) -> int | None:
    """The video encoder's ceiling in bit/s for a total outgoing budget in kbit/s (None = none)."""
    if bandwidth_out_kbps is None or bandwidth_out_kbps <= 0:
        return None
    on_the_wire = max(bandwidth_out_kbps - AUDIO_RESERVE_KBPS, 0) * 1000
    return int(on_the_wire * (1 - VIDEO_HEADER_SHARE))


def encoder_bitrate(cap_bps: int | None, estimate_bps: int | None) -> int:
    """The bitrate to open the encoder at: the far end's estimate within the cap, aimed under it."""
    ceiling = min(cap_bps, MAX_VIDEO_BPS) if cap_bps is not None else MAX_VIDEO_BPS
    wanted = estimate_bps if estimate_bps is not None else DEFAULT_START_BPS
    return max(MIN_VIDEO_BPS, int(min(wanted, ceiling) * ENCODER_HEADROOM))


class TargetBitrate:
    """The bitrate the encoder runs at: the far end's estimate within the cap, changed only
    when it moved enough and not too often (each change re-opens the encoder)."""

    def __init__(self, cap_bps: int | None, now: float) -> None:
        self._cap_bps = cap_bps
        self._value = encoder_bitrate(cap_bps, None)
        self._changed_at = now
        self.changes = 0

    @property
    def value(self) -> int:
        """The current target in bit/s."""
        return self._value

    def update(self, estimate_bps: int | None, now: float) -> int:
        """The target for the next frame, given the far end's latest estimate."""
        if estimate_bps is None:
            return self._value
        wanted = encoder_bitrate(self._cap_bps, estimate_bps)
        waited = now - self._changed_at
        if (wanted < self._value * (1 - DOWN_STEP) and waited >= DOWN_AFTER_SECONDS) or (
            wanted > self._value * (1 + UP_STEP) and waited >= UP_AFTER_SECONDS
        ):
            self._value = wanted
            self._changed_at = now
            self.changes += 1
        return self._value


class BitrateBudget:
    """A leaky bucket of `cap_bps`: `over(now)` is True while the output is more than
    `burst_seconds` of budget ahead of the cap."""

    def __init__(self, cap_bps: int, now: float, burst_seconds: float = 1.0) -> None:
        self._cap_bps = cap_bps
        self._burst_bits = cap_bps * burst_seconds
        self._bits = 0.0  # sent beyond the budget so far (never below zero)
        self._at = now

    def over(self, now: float) -> bool:
        """True if the next frame should be skipped to stay within the cap."""
        self._drain(now)
        return self._bits > self._burst_bits

    def spend(self, bits: int, now: float) -> None:
        """`bits` were sent at `now`."""
        self._drain(now)
        self._bits += bits

    def _drain(self, now: float) -> None:
        self._bits = max(0.0, self._bits - (now - self._at) * self._cap_bps)
        self._at = now
