"""A video track that sends a pre-encoded clip's packets in a loop, in real time.

aiortc packetizes `av.Packet`s a track yields without encoding them, so a far
end sending a 720p meeting picture costs it no encoder time. The clip starts
with a keyframe and has one every two seconds (`recorded_clips.py`); a
change of the negotiated codec starts the other codec's clip from its first
keyframe. Timestamps go on increasing across loops.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

VIDEO_CLOCK = 90000


@dataclass(frozen=True)
class ClipPackets:
    """The encoded frames of one clip, in decoding order, and its frame rate."""

    packets: tuple[bytes, ...]
    fps: int

    @classmethod
    def load(cls, path: Path, fps: int) -> ClipPackets:
        """Read every packet of an IVF (VP8) or Annex B (H.264) file."""
        with av.open(str(path)) as container:
            packets = tuple(bytes(p) for p in container.demux(video=0) if p.size)
        if not packets:
            raise ValueError(f"{path} holds no video packets")
        return cls(packets, fps)


class EncodedClipTrack(MediaStreamTrack):
    """Yields the clip of the negotiated codec packet by packet, paced at its frame rate."""

    kind = "video"

    def __init__(self, clips: Mapping[str, ClipPackets], codec: Callable[[], str]) -> None:
        super().__init__()
        self._clips = clips
        self._codec = codec
        self._playing = ""
        self._position = 0
        self._started_at: float | None = None
        self.frames_sent = 0

    async def recv(self) -> av.Packet:
        """The next packet, at the clip's frame rate."""
        if self.readyState != "live":
            raise MediaStreamError
        codec = self._codec().upper()
        if codec not in self._clips:
            codec = next(iter(self._clips))
        clip = self._clips[codec]
        now = time.monotonic()
        if self._started_at is None:
            self._started_at = now
        due = self._started_at + self.frames_sent / clip.fps
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > 1.0:
            # The loop was blocked for a while: restart the schedule, do not burst.
            self._started_at = now - self.frames_sent / clip.fps
        if codec != self._playing:
            self._playing, self._position = codec, 0
        packet = av.Packet(clip.packets[self._position])
        self._position = (self._position + 1) % len(clip.packets)
        packet.pts = self.frames_sent * VIDEO_CLOCK // clip.fps
        packet.time_base = Fraction(1, VIDEO_CLOCK)
        self.frames_sent += 1
        return packet
