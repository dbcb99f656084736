"""Connects aiortc's RTCRtpSender to a track that yields encoded packets.

aiortc sends pre-encoded video when a track yields `av.Packet`s: the sender then
only packetizes them (its codec object's `pack`). Two things still arrive at the
sender, not the track, and are passed on here:

- a keyframe request (the far end's PLI or FIR): aiortc calls the sender's
  `_send_keyframe()`, which only sets a flag for its own encoder; on this sender
  it calls `on_keyframe_request` instead;
- the far end's bandwidth estimate (REMB): aiortc sets `target_bitrate` on its
  codec object, created lazily at the first packet and kept in a private
  attribute; `SenderLink` wraps that object once it exists, so the value reaches
  `on_estimate`.

Both are aiortc internals (1.x): if they are not there, the kiosk says so once
and sends without them (no keyframe on request, no estimate: the cap still holds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpSender

log = logging.getLogger(__name__)

SENDER_ENCODER_ATTRIBUTE = "_RTCRtpSender__encoder"
SENDER_KEYFRAME_METHOD = "_send_keyframe"


class EstimatingPacketizer:
    """aiortc's codec object, kept for `pack`; estimates set on it go to `on_estimate`."""

    def __init__(self, inner: Any, on_estimate: Callable[[int], None]) -> None:
        self._inner = inner
        self._on_estimate = on_estimate
        self._estimate: int | None = None

    def pack(self, packet: Any) -> tuple[list[bytes], int]:
        """RTP payloads of one encoded frame (aiortc's packetizer)."""
        return self._inner.pack(packet)

    def encode(self, frame: Any, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        """Never used on this sender (its track yields packets); kept for the interface."""
        return self._inner.encode(frame, force_keyframe)

    @property
    def target_bitrate(self) -> int:
        """The far end's latest estimate in bit/s (0 before the first)."""
        return self._estimate or 0

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self._estimate = int(bitrate)
        self._on_estimate(self._estimate)


class SenderLink:
    """Hooks `sender` up to a packet-yielding track; call it before each packet goes out."""

    def __init__(
        self,
        sender: RTCRtpSender,
        on_keyframe_request: Callable[[], None],
        on_estimate: Callable[[int], None],
    ) -> None:
        self._sender = sender
        self._on_estimate = on_estimate
        self._warned = False
        if callable(getattr(sender, SENDER_KEYFRAME_METHOD, None)):
            # An instance attribute shadows the method for this sender only.
            setattr(sender, SENDER_KEYFRAME_METHOD, on_keyframe_request)
        else:
            self._warn("keyframe requests")

    def __call__(self) -> None:
        """Wrap the sender's codec object once it exists (and again after a new one)."""
        if not hasattr(self._sender, SENDER_ENCODER_ATTRIBUTE):
            self._warn("bandwidth estimates")
            return
        inner = getattr(self._sender, SENDER_ENCODER_ATTRIBUTE)
        if inner is None or isinstance(inner, EstimatingPacketizer):
            return
        setattr(self._sender, SENDER_ENCODER_ATTRIBUTE,
                EstimatingPacketizer(inner, self._on_estimate))

    def _warn(self, what: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("This aiortc version does not pass %s to the kiosk's encoder", what)
