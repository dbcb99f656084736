"""The room's speaker volume: 0–100 %, applied to the output, remembered across restarts.

`RoomVolume` is what the control bar's slider and +/- buttons change. The new
level is applied at once to the current call's speaker sink (when the kiosk
applies it itself) and, in a worker thread, to the sound server's mixer and to
the state file; quick slider moves are coalesced, only the newest level is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.room_audio.output_mixer import OutputMixer, SinkGain, choose_mixer
from kiosk.room_audio.volume_store import VolumeStore

log = logging.getLogger(__name__)

STEP = 10


class RoomVolume:
    """The volume (`level`, 0–100) of the room's speaker."""

    def __init__(self, state_dir: Path, default: int, speaker: str = "test",
                 mixer: OutputMixer | None = None) -> None:
        self._store = VolumeStore(state_dir)
        remembered = self._store.load()
        self.level = remembered if remembered is not None else max(0, min(100, default))
        self._speaker = speaker
        self._mixer = mixer
        self._sink: Any = None  # the current call's SpeakerSink, when the kiosk applies gain
        self._writing: asyncio.Task[None] | None = None
        self._dirty = False
        self._observers: list[Callable[[int], None]] = []

    @property
    def mixer(self) -> OutputMixer:
        """Where the level is applied (chosen on first use)."""
        if self._mixer is None:
            self._mixer = choose_mixer(self._speaker)
        return self._mixer

    @property
    def applies_gain(self) -> bool:
        """True when the kiosk scales its own samples (no sound-server mixer)."""
        return isinstance(self.mixer, SinkGain)

    def subscribe(self, callback: Callable[[int], None]) -> None:
        """Call `callback(level)` after every change."""
        self._observers.append(callback)

    async def start(self) -> None:
        """Choose the mixer (in a thread) and apply the remembered level."""
        if self._mixer is None:
            self._mixer = await asyncio.to_thread(choose_mixer, self._speaker)
        await asyncio.to_thread(self._apply_mixer, self.level)

    def attach(self, media: Any) -> None:
        """The current call (None: none): its speaker sink plays at the room's level."""
        sink = getattr(media, "speaker_sink", None) if media is not None else None
        self._sink = sink
        self._apply_sink()

    def set(self, level: float) -> int:
        """Change the volume (clamped to 0–100); returns the new level."""
        new = max(0, min(100, round(level)))
        if new == self.level:
            return new
        self.level = new
        self._apply_sink()
        for callback in list(self._observers):
            try:
                callback(new)
            except Exception:
                log.exception("A volume observer failed")
        self._schedule_write()
        return new

    def step(self, direction: int) -> int:
        """One step up (+1) or down (-1), to the next multiple of STEP."""
        if direction > 0:
            return self.set((self.level // STEP + 1) * STEP)
        return self.set(max(0, (self.level - 1) // STEP * STEP))

    async def flush(self) -> None:
        """Wait until the newest level is applied and remembered."""
        while self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)

    def close(self) -> None:
        """Release the mixer."""
        if self._mixer is not None:
            with contextlib.suppress(Exception):
                self._mixer.close()

    # ------------------------------------------------------------------ applying

    def _apply_sink(self) -> None:
        if self._sink is not None and self.applies_gain:
            self._sink.gain = self.level / 100.0

    def _apply_mixer(self, level: int) -> None:
        try:
            self.mixer.set_level(level / 100.0)
        except Exception as exc:
            log.warning("The speaker volume could not be set (%s)", type(exc).__name__)

    def _schedule_write(self) -> None:
        self._dirty = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._write_now()
            return
        if self._writing is None or self._writing.done():
            self._writing = loop.create_task(self._write_latest())

    async def _write_latest(self) -> None:
        while self._dirty:
            self._dirty = False
            await asyncio.to_thread(self._write_now)

    def _write_now(self) -> None:
        level = self.level
        self._apply_mixer(level)
        self._store.save(level)
