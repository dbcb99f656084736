"""Where the volume is applied: the output device's mixer, or a gain in the speaker sink.

On a room device sound goes through PipeWire (or PulseAudio): `pulsectl` (libpulse
through ctypes) sets the default sink's volume, which also covers a USB
speakerphone. Where there is no sound server (the test speaker, a bare ALSA
system, CI) the kiosk scales the samples itself in its speaker sink.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 1.0


class OutputMixer(Protocol):
    """Sets the room's output level (0.0–1.0). `set_level` may block briefly: call it in a
    worker thread."""

    name: str

    def set_level(self, level: float) -> None: ...

    def close(self) -> None: ...


class SinkGain:
    """The gain the kiosk's speaker sink applies to the samples (no mixer to use)."""

    name = "speaker sink gain"

    def __init__(self) -> None:
        self.level = 1.0

    def set_level(self, level: float) -> None:
        """Remember the gain; `RoomVolume` hands it to the sink of each call."""
        self.level = max(0.0, min(1.0, level))

    def close(self) -> None:
        """Nothing to close."""


class PulseMixer:
    """The default sink of the PipeWire-pulse (or PulseAudio) server, through pulsectl."""

    name = "PipeWire/PulseAudio default sink"

    def __init__(self, pulse: Any) -> None:
        self._pulse = pulse
        self._lock = threading.Lock()  # libpulse's context is not for two threads at once

    @classmethod
    def connect(cls) -> PulseMixer | None:
        """A mixer on the sound server, or None when there is none (blocking, bounded)."""
        try:
            import pulsectl
        except ImportError:
            return None
        try:
            pulse = pulsectl.Pulse("pexip-kiosk", connect=False)
            pulse.connect(timeout=CONNECT_TIMEOUT)
            pulse.server_info()
        except Exception as exc:  # pulsectl raises PulseError and OSError subclasses
            log.info("No PipeWire/PulseAudio server (%s): the volume is applied in the kiosk",
                     type(exc).__name__)
            return None
        return cls(pulse)

    def set_level(self, level: float) -> None:
        """Set the default sink's volume on all channels."""
        with self._lock:
            name = self._pulse.server_info().default_sink_name
            sink = self._pulse.get_sink_by_name(name)
            self._pulse.volume_set_all_chans(sink, max(0.0, min(1.0, level)))

    def close(self) -> None:
        """Disconnect from the sound server."""
        with self._lock:
            self._pulse.close()


def choose_mixer(speaker: str) -> OutputMixer:
    """The mixer for the KIOSK_SPEAKER setting (blocking: call in a thread)."""
    if speaker.strip().lower() not in ("test", "none"):
        mixer = PulseMixer.connect()
        if mixer is not None:
            log.info("Speaker volume: %s", mixer.name)
            return mixer
    return SinkGain()
