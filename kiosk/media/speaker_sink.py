"""Where the meeting's sound goes, as KIOSK_SPEAKER says: default, a named device, test, none.

Every kind consumes the remote audio track (aiortc queues decoded frames
without bound until somebody reads them) and counts what arrives; `default`
and named devices also play it through `sounddevice` (PortAudio). The newest
~200 ms are kept for playback: a late consumer never builds up delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, AudioResampler

from kiosk.i18n.message import fixed_message
from kiosk.media.opened_source import DeviceUnavailable
from kiosk.media.portaudio import SAMPLE_RATE, describe_error, device_argument, load_sounddevice
from kiosk.session_state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

CHANNELS = 2
BYTES_PER_SAMPLE = 2 * CHANNELS  # s16 stereo
BUFFER_SECONDS = 0.2
SPEAKER_OFF = fixed_message("speaker_turned_off", "Speaker turned off in the settings")


class SpeakerSink:
    """Reads a remote audio track, counts frames (and silence), and plays it if it has a device."""

    def __init__(self, status: DeviceStatus, playback: PlaybackBuffer | None = None,
                 stream: Any | None = None) -> None:
        self.status = status
        self._playback = playback
        self._stream = stream
        self._task: asyncio.Task[None] | None = None
        self._resampler: AudioResampler | None = None
        self.frames = 0  # decoded audio frames received
        self.last_peak = 0  # largest absolute sample of the newest frame, after the gain
        self.gain = 1.0  # the room's volume when no mixer applies it (kiosk.room_audio)

    @classmethod
    def open(cls, choice: str) -> SpeakerSink:
        """The speaker `choice` names (blocking: call in a thread); never raises."""
        lowered = choice.strip().lower()
        if lowered == "none":
            return cls(DeviceStatus(DeviceState.DISABLED, SPEAKER_OFF))
        if lowered == "test":
            return cls(DeviceStatus(DeviceState.ACTIVE))
        try:
            playback = PlaybackBuffer(int(SAMPLE_RATE * BUFFER_SECONDS) * BYTES_PER_SAMPLE)
            stream = _open_output(choice, playback)
        except DeviceUnavailable as exc:
            log.warning("Speaker unavailable: %s", exc)
            return cls(DeviceStatus(DeviceState.UNAVAILABLE, str(exc)))  # a Message
        return cls(DeviceStatus(DeviceState.ACTIVE), playback, stream)

    def start(self, track: MediaStreamTrack) -> None:
        """Start reading `track` (the remote audio) on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._consume(track))

    async def _consume(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self._take(frame)
        except MediaStreamError:
            return

    def _take(self, frame: AudioFrame) -> None:
        self.frames += 1
        if (frame.format.name, frame.layout.name, frame.sample_rate) == (
            "s16", "stereo", SAMPLE_RATE,
        ):
            chunks = [bytes(frame.planes[0])[: frame.samples * BYTES_PER_SAMPLE]]
        else:
            # Opus decodes to s16 stereo 48 kHz already; G.711/G.722 need converting.
            if self._resampler is None:
                self._resampler = AudioResampler(format="s16", layout="stereo", rate=SAMPLE_RATE)
            chunks = [bytes(converted.planes[0])[: converted.samples * BYTES_PER_SAMPLE]
                      for converted in self._resampler.resample(frame)]
        gain = self.gain
        if gain != 1.0:
            chunks = [scaled_s16(chunk, gain) for chunk in chunks]
        self.last_peak = max((s16_peak(chunk) for chunk in chunks), default=0)
        if self._playback is not None:
            for chunk in chunks:
                self._playback.write(chunk)

    async def stop(self) -> None:
        """Stop reading and close the device; never raises."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:
                log.debug("Closing the speaker failed", exc_info=True)


def s16_peak(samples: bytes) -> int:
    """The largest absolute value among native-endian int16 `samples` (0 for none)."""
    values = memoryview(samples).cast("h")
    return max(max(values), -min(values)) if len(values) else 0


def scaled_s16(samples: bytes, gain: float) -> bytes:
    """Native-endian int16 `samples` times `gain`, clipped (numpy only when a gain is set)."""
    import numpy as np  # not needed at all while the volume is left to a mixer

    values = np.frombuffer(samples, dtype=np.int16).astype(np.float32) * gain
    return np.clip(values, -32768, 32767).astype(np.int16).tobytes()


class PlaybackBuffer:
    """Bytes waiting for the sound card: the loop writes, PortAudio's thread reads."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._data = bytearray()
        self._lock = threading.Lock()
        self.underruns = 0

    def write(self, data: bytes) -> None:
        """Append; beyond capacity the oldest bytes go (keeps the delay short)."""
        with self._lock:
            self._data += data
            excess = len(self._data) - self._capacity
            if excess > 0:
                excess += -excess % BYTES_PER_SAMPLE
                del self._data[:excess]

    def read_into(self, out: memoryview) -> None:
        """Fill `out` with the oldest bytes, padding with silence when there are too few."""
        wanted = len(out)
        with self._lock:
            taken = min(wanted, len(self._data))
            out[:taken] = self._data[:taken]
            del self._data[:taken]
        if taken < wanted:
            out[taken:] = bytes(wanted - taken)
            self.underruns += 1


def _open_output(choice: str, playback: PlaybackBuffer) -> Any:
    sd = load_sounddevice()

    def callback(outdata: Any, _frames: int, _time: Any, _status: Any) -> None:
        playback.read_into(memoryview(outdata).cast("B"))

    try:
        stream = sd.RawOutputStream(
            device=device_argument(choice), channels=CHANNELS, samplerate=SAMPLE_RATE,
            dtype="int16", callback=callback,
        )
        stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceUnavailable(describe_error("speaker", choice, exc)) from None
    return stream
