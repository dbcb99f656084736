"""The bounded hand-over of events from the event-stream thread to the session's loop.

A node that floods the stream must neither fill the kiosk's memory nor starve
its loop. Events wait here, at most `capacity` of them; roster updates for the
same participant, and conference updates, are merged while they wait (the
newest state wins, keeping the place of the newest), so a flood of updates
about a few participants takes a few slots. When the queue is full of events
that cannot be merged, the reader thread waits (the node's TCP connection then
slows down) instead of dropping anything: every `disconnect` still arrives.

The consumer is told, once, when the queue stops being empty (`on_ready`), and
then takes events in batches with `take`, so the loop gets to run its timers
between batches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from itertools import count
from typing import Any

from kiosk.infinity.models import Event

DEFAULT_CAPACITY = 1000
ROSTER_EVENTS = frozenset({"participant_create", "participant_update"})


def merge_key(event: Event) -> Hashable | None:
    """What `event` may be merged with while waiting (None: it is kept as it is).

    A `participant_create` and a later `participant_update` of the same uuid carry the
    whole participant: the newer replaces the older. `conference_update` carries only
    the fields that changed: merged field by field.
    """
    if event.name in ROSTER_EVENTS and isinstance(event.data, dict):
        uuid = event.data.get("uuid")
        if isinstance(uuid, str):
            return ("participant", uuid)
    if event.name == "conference_update" and isinstance(event.data, dict):
        return ("conference",)
    return None


def _merged(older: Event, newer: Event) -> Event:
    if newer.name == "conference_update" and isinstance(older.data, dict):
        return Event(name=newer.name, data={**older.data, **newer.data}, id=newer.id)
    return newer


class EventQueue:
    """Thread-safe, bounded, merging FIFO of events (one producer thread, one consumer).

    `on_ready()` is called (from the producer's thread) when an event arrives in an
    empty queue, and again after the consumer has emptied it.
    """

    def __init__(self, on_ready: Callable[[], None], capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._on_ready = on_ready
        self._capacity = capacity
        self._items: OrderedDict[Hashable, Event] = OrderedDict()
        self._keys = count()
        self._lock = threading.Lock()
        self._space = threading.Condition(self._lock)
        self._closed = False
        self._signalled = False
        self.high_water = 0
        self.merged = 0
        self.waited = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def capacity(self) -> int:
        """How many events may wait at most."""
        return self._capacity

    def put(self, event: Event, timeout: float | None = None) -> bool:
        """Queue `event` (merging it where it may be); wait while the queue is full.

        False when the queue was closed (or `timeout` passed) before there was room.
        """
        key = merge_key(event)
        with self._lock:
            if self._closed:
                return False
            if key is not None and key in self._items:
                older = self._items.pop(key)
                self._items[key] = _merged(older, event)
                self.merged += 1
                return True
            if len(self._items) >= self._capacity:
                self.waited += 1
                if not self._space.wait_for(
                        lambda: self._closed or len(self._items) < self._capacity, timeout):
                    return False
                if self._closed:
                    return False
            self._items[key if key is not None else ("single", next(self._keys))] = event
            self.high_water = max(self.high_water, len(self._items))
            signal = not self._signalled
            self._signalled = True
        if signal:
            self._on_ready()
        return True

    def take(self, limit: int) -> list[Event]:
        """Up to `limit` of the oldest events. When it leaves the queue empty, the next
        `put` calls `on_ready` again."""
        with self._lock:
            batch: list[Event] = []
            while self._items and len(batch) < limit:
                batch.append(self._items.popitem(last=False)[1])
            if not self._items:
                self._signalled = False
            self._space.notify_all()
            return batch

    def close(self) -> None:
        """No more events: a waiting `put` returns False, later ones at once."""
        with self._lock:
            self._closed = True
            self._items.clear()
            self._space.notify_all()

    def stats(self) -> dict[str, Any]:
        """How full it got, how many events were merged, how often the producer waited."""
        with self._lock:
            return {"capacity": self._capacity, "high_water": self.high_water,
                    "merged": self.merged, "producer_waits": self.waited}
