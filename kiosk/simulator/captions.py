"""Simulated live captions: a script spoken word by word, sent as `live_captions` events
(`data`, `is_final`, `sent_time`) to the participants that asked with
`show_live_captions` (and no longer after `hide_live_captions`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

from kiosk.simulator.event_hub import EventHub
from kiosk.simulator.room_state import RoomState

DEFAULT_SCRIPT = (
    "Good morning everyone, thanks for joining.",
    "Let's start with the numbers from last quarter.",
    "The new rooms are used every day by most teams.",
)
WORD_SECONDS = 0.25


class CaptionPlayer:
    """Who wants captions in each room, and the caption script being played."""

    def __init__(self, hub: EventHub) -> None:
        self._hub = hub
        self._wanted: dict[str, set[str]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.sent: dict[str, int] = {}  # live_captions events per participant

    def set_wanted(self, room: RoomState, participant_uuid: str, wanted: bool) -> None:
        """`show_live_captions` / `hide_live_captions`."""
        subscribers = self._wanted.setdefault(room.alias.lower(), set())
        if wanted:
            subscribers.add(participant_uuid)
        else:
            subscribers.discard(participant_uuid)

    def wanted(self, room: RoomState) -> list[str]:
        """The participants that asked for captions (still in the room)."""
        return sorted(u for u in self._wanted.get(room.alias.lower(), set())
                      if u in room.participants)

    def play(self, room: RoomState, lines: Sequence[str] = DEFAULT_SCRIPT,
             word_seconds: float = WORD_SECONDS) -> int:
        """Speak `lines` (partial text word by word, then each line final); replaces a
        script still playing. Returns the number of lines."""
        key = room.alias.lower()
        running = self._tasks.pop(key, None)
        if running is not None:
            running.cancel()
        self._tasks[key] = asyncio.get_running_loop().create_task(
            self._speak(room, list(lines), word_seconds))
        return len(lines)

    async def _speak(self, room: RoomState, lines: list[str], word_seconds: float) -> None:
        for line in lines:
            words = line.split()
            for count in range(1, len(words)):
                self._send(room, " ".join(words[:count]), final=False)
                await asyncio.sleep(word_seconds)
            self._send(room, line, final=True)
            await asyncio.sleep(word_seconds * 2)

    def _send(self, room: RoomState, text: str, final: bool) -> None:
        receivers = self.wanted(room)
        data = {"data": text, "is_final": final, "sent_time": time.time()}
        self._hub.broadcast(receivers, "live_captions", data)
        for uuid in receivers:
            self.sent[uuid] = self.sent.get(uuid, 0) + 1

    def remove(self, participant_uuid: str) -> None:
        """A participant left."""
        for subscribers in self._wanted.values():
            subscribers.discard(participant_uuid)

    async def close(self) -> None:
        """Stop every script."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def captions_snapshot(player: CaptionPlayer, room: RoomState) -> dict[str, object]:
    """Captions state for `GET /_sim/rooms/{alias}`."""
    return {"wanted": player.wanted(room),
            "sent": {uuid: player.sent.get(uuid, 0) for uuid in player.wanted(room)}}
