"""Event-stream faults: what a hostile node writes into open event streams.

Behind `POST /_sim/faults` `{"path_contains": "events", "flood_events": N}` (N
`participant_update` events as fast as the client reads them, about
`flood_participants` different participants) and `{"raw_event_bytes": "<base64>"}`
(bytes written to the stream as they are: not UTF-8, half an event, anything).
They are items of a stream's queue, like its events; `sse_endpoint` writes their
`chunks()`. Neither is recorded for schema checks (faults are off-schema on purpose).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

FLOOD_BATCH = 500  # events per write: the flood goes as fast as the socket takes it
MAX_FLOOD_EVENTS = 10_000_000


@dataclass(frozen=True)
class EventFlood:
    """`count` participant_update events about `participants` made-up participants."""

    count: int
    participants: int = 50

    def chunks(self) -> Iterator[bytes]:
        """The events, FLOOD_BATCH at a time, as event-stream bytes."""
        batch: list[str] = []
        for index in range(self.count):
            uuid = f"flood-{index % self.participants}"
            data = {"uuid": uuid, "display_name": f"Flood {index}", "role": "guest",
                    "service_type": "conference", "is_muted": "NO"}
            batch.append(f"id: f{index}\nevent: participant_update\ndata: {json.dumps(data)}\n\n")
            if len(batch) >= FLOOD_BATCH:
                yield "".join(batch).encode()
                batch = []
        if batch:
            yield "".join(batch).encode()


@dataclass(frozen=True)
class RawStreamBytes:
    """Bytes written into the stream exactly as given."""

    data: bytes

    def chunks(self) -> Iterator[bytes]:
        """The bytes, in one write."""
        yield self.data


StreamFault = EventFlood | RawStreamBytes
