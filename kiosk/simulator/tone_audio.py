"""The far end's sound: a quiet 440 Hz tone in 20 ms frames of 48 kHz mono."""

from __future__ import annotations

import asyncio
import fractions
import time

import av
import numpy as np
from aiortc.mediastreams import AUDIO_PTIME, MediaStreamError, MediaStreamTrack

SAMPLE_RATE = 48000
FREQUENCY = 440
AMPLITUDE = 0.1
SAMPLES_PER_FRAME = int(SAMPLE_RATE * AUDIO_PTIME)


class ToneAudioTrack(MediaStreamTrack):
    """An audio track of a sine tone (or silence with `amplitude=0`), paced in real time."""

    kind = "audio"

    def __init__(self, frequency: int = FREQUENCY, amplitude: float = AMPLITUDE) -> None:
        super().__init__()
        # One second holds a whole number of periods, so slicing it loops seamlessly.
        seconds = np.arange(SAMPLE_RATE) / SAMPLE_RATE
        wave = np.sin(2 * np.pi * frequency * seconds) * amplitude * 32767
        self._second = wave.astype(np.int16)
        self._time_base = fractions.Fraction(1, SAMPLE_RATE)
        self._start: float | None = None
        self._timestamp = 0
        self.frames_sent = 0

    async def recv(self) -> av.AudioFrame:
        """The next 20 ms frame."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            self._timestamp += SAMPLES_PER_FRAME
            wait = self._start + self._timestamp / SAMPLE_RATE - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        offset = self._timestamp % SAMPLE_RATE
        samples = self._second[offset : offset + SAMPLES_PER_FRAME]
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._timestamp
        frame.time_base = self._time_base
        self.frames_sent += 1
        return frame
