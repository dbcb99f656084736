"""Routes server-sent events to each participant's open event streams.

Every participant may have several streams open (a reconnect can overlap the
old connection). Events meant for a participant with no open stream are kept
in a short backlog when they would otherwise be lost for good (`disconnect`,
`refresh_token`, ...); roster events are not kept, because every new stream
starts with a full roster replay.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kiosk.simulator.stream_faults import StreamFault

BACKLOG_SIZE = 100


@dataclass(frozen=True)
class SseMessage:
    """One server-sent event with its id."""

    name: str
    data: Any
    id: int
    off_schema: str = ""  # why it deviates from Pexip's schemas on purpose ("" for none)

    def encode(self) -> bytes:
        """The event in text/event-stream framing."""
        return f"id: {self.id}\nevent: {self.name}\ndata: {json.dumps(self.data)}\n\n".encode()


class StreamEnd(enum.Enum):
    """How a stream ends: CLOSE after what is queued; DROP cuts the connection at once."""

    CLOSE = "close"
    DROP = "drop"


@dataclass(eq=False)
class Subscription:
    """One open event stream of one participant."""

    participant_uuid: str
    path: str
    queue: asyncio.Queue[SseMessage | StreamEnd | StreamFault] = field(
        default_factory=asyncio.Queue)


class EventHub:
    """The open event streams of every participant of a simulated node."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._streams: dict[str, list[Subscription]] = {}
        self._backlog: dict[str, deque[SseMessage]] = {}

    def message(self, name: str, data: Any, off_schema: str = "") -> SseMessage:
        """A new message with the next event id."""
        return SseMessage(name=name, data=data, id=next(self._ids), off_schema=off_schema)

    def subscribe(
        self, participant_uuid: str, path: str, replay: Iterable[SseMessage]
    ) -> Subscription:
        """Open a stream that starts with `replay`, then the backlog, then live events."""
        subscription = Subscription(participant_uuid=participant_uuid, path=path)
        for message in replay:
            subscription.queue.put_nowait(message)
        for message in self._backlog.pop(participant_uuid, ()):
            subscription.queue.put_nowait(message)
        self._streams.setdefault(participant_uuid, []).append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget a stream whose connection has ended."""
        streams = self._streams.get(subscription.participant_uuid, [])
        if subscription in streams:
            streams.remove(subscription)
        if not streams:
            self._streams.pop(subscription.participant_uuid, None)

    def send(self, participant_uuid: str, name: str, data: Any, keep: bool = False,
             off_schema: str = "") -> None:
        """Queue an event for a participant's streams; `keep` backlogs it if none is open.
        `off_schema`: why it deviates from Pexip's schemas on purpose (a test's payload)."""
        message = self.message(name, data, off_schema)
        streams = self._streams.get(participant_uuid)
        if streams:
            for subscription in streams:
                subscription.queue.put_nowait(message)
        elif keep:
            self._backlog.setdefault(participant_uuid, deque(maxlen=BACKLOG_SIZE)).append(message)

    def broadcast(self, participant_uuids: Iterable[str], name: str, data: Any) -> None:
        """Queue one event (one id) for several participants' open streams."""
        message = self.message(name, data)
        for uuid in participant_uuids:
            for subscription in self._streams.get(uuid, ()):
                subscription.queue.put_nowait(message)

    def end_streams(self, participant_uuid: str) -> None:
        """Close a participant's streams after what is queued, and forget its backlog."""
        for subscription in self._streams.get(participant_uuid, ()):
            subscription.queue.put_nowait(StreamEnd.CLOSE)
        self._backlog.pop(participant_uuid, None)

    def drop_streams(self, path_contains: str = "") -> int:
        """Cut every open stream whose request path contains `path_contains`; return how many."""
        dropped = 0
        for streams in self._streams.values():
            for subscription in streams:
                if path_contains in subscription.path:
                    subscription.queue.put_nowait(StreamEnd.DROP)
                    dropped += 1
        return dropped

    def inject(self, path_contains: str, fault: StreamFault) -> int:
        """Write `fault` into every open stream whose path contains `path_contains`."""
        injected = 0
        for streams in self._streams.values():
            for subscription in streams:
                if path_contains in subscription.path:
                    subscription.queue.put_nowait(fault)
                    injected += 1
        return injected

    def close_all(self) -> None:
        """Close every stream (the node is stopping)."""
        for streams in self._streams.values():
            for subscription in streams:
                subscription.queue.put_nowait(StreamEnd.CLOSE)
        self._backlog.clear()

    def stream_count(self, participant_uuid: str) -> int:
        """How many streams a participant has open."""
        return len(self._streams.get(participant_uuid, ()))
