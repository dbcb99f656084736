"""Opening the room's microphone as KIOSK_MICROPHONE says: default, a named device, test, none.

Real capture goes through `sounddevice` (PortAudio, following the system's ALSA
or PipeWire), not PyAV's bundled ALSA. A microphone that cannot be opened is
reported UNAVAILABLE with the reason; the call goes on without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from array import array
from fractions import Fraction
from typing import Any

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame

from kiosk.media.opened_source import (
    DeviceUnavailable,
    OpenedSource,
    active,
    disabled,
    unavailable,
)
from kiosk.media.portaudio import (
    FRAME_SAMPLES,
    SAMPLE_RATE,
    describe_error,
    device_argument,
    load_sounddevice,
)

log = logging.getLogger(__name__)

TONE_HZ = 440  # 440 whole periods per second: one second of samples loops seamlessly
TONE_LEVEL = 0.25
QUEUE_FRAMES = 10  # 200 ms of captured sound at most; older blocks are dropped


def open_microphone(choice: str, loop: asyncio.AbstractEventLoop) -> OpenedSource:
    """The microphone `choice` names, opened (blocking: call it in a thread), or why not.

    `loop` is the event loop the track will be read on (PortAudio calls back from its thread).
    """
    lowered = choice.strip().lower()
    if lowered == "none":
        return disabled("Microphone")
    if lowered == "test":
        return active(ToneTrack(), "test tone")
    try:
        return active(SoundDeviceMicrophoneTrack.open(choice, loop), choice)
    except DeviceUnavailable as exc:
        log.warning("Microphone unavailable: %s", exc)
        return unavailable(str(exc))


def audio_frame(samples: bytes, pts: int, sample_rate: int = SAMPLE_RATE) -> AudioFrame:
    """An s16 mono AudioFrame of `samples` (native-endian int16 bytes) stamped `pts` in
    1/sample_rate units. Plain bytes: no numpy in the sound path."""
    frame = AudioFrame(format="s16", layout="mono", samples=len(samples) // 2)
    frame.planes[0].update(samples)
    frame.sample_rate = sample_rate
    frame.pts = pts
    frame.time_base = Fraction(1, sample_rate)
    return frame


def tone_second(level: float) -> bytes:
    """One second of the test tone as s16 mono bytes (TONE_HZ whole periods: it loops)."""
    # The wave repeats every SAMPLE_RATE / gcd(SAMPLE_RATE, TONE_HZ) samples (1200: 11 periods).
    repeat = SAMPLE_RATE // math.gcd(SAMPLE_RATE, TONE_HZ)
    step = 2 * math.pi * TONE_HZ / SAMPLE_RATE
    amplitude = level * 32767
    cycle = array("h", (round(math.sin(i * step) * amplitude) for i in range(repeat))).tobytes()
    return cycle * (SAMPLE_RATE // repeat)


class ToneTrack(MediaStreamTrack):
    """A steady tone in 20 ms frames, paced in real time: the `test` microphone, and the
    simulator's far end (more quietly)."""

    kind = "audio"

    def __init__(self, level: float = TONE_LEVEL) -> None:
        super().__init__()
        self._second = tone_second(level)
        self._sent = 0
        self._started_at: float | None = None

    async def recv(self) -> AudioFrame:
        """The next 20 ms of tone."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._started_at is None:
            self._started_at = now
        due = self._started_at + self._sent / SAMPLE_RATE
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > 1.0:
            self._started_at = now - self._sent / SAMPLE_RATE
        start = 2 * (self._sent % SAMPLE_RATE)  # bytes: two per sample
        frame = audio_frame(self._second[start : start + 2 * FRAME_SAMPLES], self._sent)
        self._sent += FRAME_SAMPLES
        return frame

    @property
    def frames_sent(self) -> int:
        """How many 20 ms frames have been handed out."""
        return self._sent // FRAME_SAMPLES


class SoundDeviceMicrophoneTrack(MediaStreamTrack):
    """Capture from a PortAudio input device in 20 ms blocks (newest 200 ms kept)."""

    kind = "audio"

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_FRAMES)
        self._stream: Any | None = None
        self._sample_rate = SAMPLE_RATE
        self._captured = 0

    @classmethod
    def open(cls, choice: str, loop: asyncio.AbstractEventLoop) -> SoundDeviceMicrophoneTrack:
        """Open and start the device, or raise DeviceUnavailable."""
        sd = load_sounddevice()
        track = cls(loop)
        device = device_argument(choice)
        try:
            try:
                stream = sd.RawInputStream(
                    device=device, channels=1, samplerate=SAMPLE_RATE, dtype="int16",
                    blocksize=FRAME_SAMPLES, callback=track._on_block,
                )
            except sd.PortAudioError:
                # Some devices refuse 48 kHz; take their own rate (the encoder resamples).
                rate = int(sd.query_devices(device, "input")["default_samplerate"])
                stream = sd.RawInputStream(
                    device=device, channels=1, samplerate=rate, dtype="int16",
                    blocksize=rate // 50, callback=track._on_block,
                )
                track._sample_rate = rate
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceUnavailable(describe_error("microphone", choice, exc)) from None
        track._stream = stream
        return track

    def _on_block(self, indata: Any, frames: int, _time: Any, _status: Any) -> None:
        # PortAudio's thread: copy (the buffer is reused) and hand over to the loop.
        block = bytes(indata)
        with contextlib.suppress(RuntimeError):  # the loop is closed: the call is over
            self._loop.call_soon_threadsafe(self._push, block)

    def _push(self, block: bytes) -> None:
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(block)

    async def recv(self) -> AudioFrame:
        """The next captured block."""
        if self.readyState != "live":
            raise MediaStreamError
        block = await self._queue.get()
        frame = audio_frame(block, self._captured, self._sample_rate)
        self._captured += len(block) // 2
        return frame

    def stop(self) -> None:
        """Stop capturing and close the device. Safe to call twice."""
        super().stop()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # a device that was unplugged cannot be closed cleanly
                log.debug("Closing the microphone failed", exc_info=True)
