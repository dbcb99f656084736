"""A bounded parser of server-sent events (`text/event-stream`), fed bytes as they arrive.

Follows the WHATWG event-stream rules (lines end in CRLF, LF or CR; `event`,
`data`, `id` fields; `:` comments; an event is dispatched at a blank line and
only if it has data) with two limits a node can never push past: the length of
one line and the size of one event. Lines are split as bytes and decoded one by
one, so a character split between two reads is never broken, and bytes that are
not UTF-8 spoil only their own event: it comes out as one `RawEvent` with
`malformed` set, and parsing goes on with the next event.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

MAX_LINE_BYTES = 256 * 1024  # an SDP offer in one `data:` line is ~10-20 KB
MAX_EVENT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RawEvent:
    """One dispatched event: its name, data text and id; `malformed` says why it is unusable."""

    name: str
    data: str
    id: str | None = None
    malformed: str = ""


class SseParser:
    """Turns chunks of an event stream into `RawEvent`s, in bounded memory.

    `feed(chunk)` yields every event completed by `chunk`. `lines` counts the lines
    seen (comments too): a stream that only sends keepalive comments is still alive.
    """

    def __init__(self, max_line: int = MAX_LINE_BYTES, max_event: int = MAX_EVENT_BYTES) -> None:
        self._max_line = max_line
        self._max_event = max_event
        self._partial = bytearray()
        self._skipping_line = False  # the rest of an over-long line is being discarded
        self._after_cr = False  # the last chunk ended in CR: a leading LF belongs to it
        self.lines = 0
        self._reset_event()

    def _reset_event(self) -> None:
        self._name = ""
        self._data: list[str] = []
        self._size = 0
        self._id: str | None = None
        self._malformed = ""

    def feed(self, chunk: bytes) -> Iterator[RawEvent]:
        """The events `chunk` completes (possibly none)."""
        start = 0
        if self._after_cr and chunk[:1] == b"\n":
            start = 1
        self._after_cr = False
        length = len(chunk)
        while start < length:
            cr = chunk.find(b"\r", start)
            lf = chunk.find(b"\n", start)
            ends = [i for i in (cr, lf) if i >= 0]
            if not ends:
                self._append(chunk[start:])
                return
            end = min(ends)
            self._append(chunk[start:end])
            step = 1
            if chunk[end:end + 1] == b"\r":
                if end + 1 < length:
                    step = 2 if chunk[end + 1:end + 2] == b"\n" else 1
                else:
                    self._after_cr = True
            event = self._end_of_line()
            if event is not None:
                yield event
            start = end + step

    def _append(self, piece: bytes) -> None:
        if self._skipping_line or not piece:
            return
        if len(self._partial) + len(piece) > self._max_line:
            self._partial.clear()
            self._skipping_line = True
            self._malformed = self._malformed or f"a line is longer than {self._max_line} bytes"
            return
        self._partial += piece

    def _end_of_line(self) -> RawEvent | None:
        self.lines += 1
        line = bytes(self._partial)
        self._partial.clear()
        if self._skipping_line:
            self._skipping_line = False
            return None
        if not line:
            return self._dispatch()
        if line.startswith(b":"):
            return None
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            self._malformed = self._malformed or "bytes that are not UTF-8"
            return None
        field, _, value = text.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            self._size += len(line)
            if self._size > self._max_event:
                too_big = f"an event is larger than {self._max_event} bytes"
                self._malformed = self._malformed or too_big
                self._data.clear()
            elif not self._malformed:
                self._data.append(value)
        elif field == "event":
            self._name = value
        elif field == "id" and "\x00" not in value:
            self._id = value
        return None

    def _dispatch(self) -> RawEvent | None:
        name, data, event_id, malformed = self._name, self._data, self._id, self._malformed
        had_data = bool(data) or self._size > 0
        self._reset_event()
        if malformed:
            return RawEvent(name or "message", "", event_id or None, malformed)
        if not had_data:
            return None
        return RawEvent(name or "message", "\n".join(data), event_id or None)
