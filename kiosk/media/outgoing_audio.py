"""The audio track handed to the sender: the microphone, or silence when muted or lost."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from fractions import Fraction

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame

from kiosk.media.microphone_source import audio_frame
from kiosk.media.portaudio import FRAME_SAMPLES, SAMPLE_RATE

log = logging.getLogger(__name__)


class OutgoingAudioTrack(MediaStreamTrack):
    """Microphone frames, or zeros while muted; paced silence once the microphone is gone."""

    kind = "audio"

    def __init__(
        self,
        source: MediaStreamTrack,
        on_lost: Callable[[str], None],
        stall_seconds: float = 2.0,
    ) -> None:
        super().__init__()
        self._source = source
        self._on_lost = on_lost
        self._stall_seconds = stall_seconds
        self.muted = False  # True: zeros are sent instead of the microphone
        self._lost_reason = ""
        self._sent = 0  # samples at 48 kHz, the timestamp of the next frame
        self._started_at: float | None = None
        self._silence = bytes(2 * FRAME_SAMPLES)  # s16 mono

    async def recv(self) -> AudioFrame:
        """The next frame for the encoder."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._started_at is None:
            self._started_at = time.monotonic()
        frame: AudioFrame | None = None
        if not self._lost_reason:
            try:
                # asyncio.timeout, not wait_for: no extra task per frame.
                async with asyncio.timeout(self._stall_seconds):
                    frame = await self._source.recv()
            except TimeoutError:
                self._lose("the microphone stopped delivering sound")
            except MediaStreamError as exc:
                self._lose(str(exc) or "the microphone was disconnected")
        if frame is None:
            await self._pace()
            frame = audio_frame(self._silence, 0)
        elif self.muted:
            frame = audio_frame(bytes(2 * frame.samples), 0, frame.sample_rate)
        # Restamp: continuous timestamps whatever the source did.
        rate = frame.sample_rate
        frame.pts = self._sent * rate // SAMPLE_RATE
        frame.time_base = Fraction(1, rate)
        self._sent += frame.samples * SAMPLE_RATE // rate
        return frame

    async def _pace(self) -> None:
        assert self._started_at is not None
        wait = self._started_at + self._sent / SAMPLE_RATE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -1.0:
            self._started_at -= wait  # far behind (loop was blocked): do not burst

    def _lose(self, reason: str) -> None:
        if self.readyState != "live":
            raise MediaStreamError  # we were stopped (the call is closing): not a lost device
        self._lost_reason = reason
        log.warning("Microphone lost during the call: %s; sending silence", reason)
        self._source.stop()
        self._on_lost(reason)

    def stop(self) -> None:
        """End the track and the microphone."""
        super().stop()
        self._source.stop()
