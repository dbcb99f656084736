"""The conference event stream (`GET .../events`), read in its own thread.

Server-sent events are parsed by `SseParser`, within a line and an event size
limit; an event the parser marks malformed (bytes that are not UTF-8, an
over-long line) is logged, counted and skipped, never a reason to reconnect.
The reader reconnects with backoff after any drop, each time with the newest
token from `token_provider`, and ends (calling `on_fatal`) only when the node
says the token or the conference is gone. Callbacks run on the reader's thread;
`on_event` may block (a bounded `EventQueue` that is full), which slows the
node's connection down instead of buffering without end. No callback is called
once `stop()` has begun.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import requests

from kiosk.infinity.backoff import Backoff
from kiosk.infinity.errors import ConferenceNotFound, InfinityError, InvalidToken
from kiosk.infinity.models import Event
from kiosk.infinity.sse_parser import SseParser

if TYPE_CHECKING:
    from kiosk.infinity.client import InfinityClient

__all__ = ("EventStreamReader", "decode_event")

log = logging.getLogger(__name__)

READ_SIZE = 16 * 1024
FATAL_ERRORS = (InvalidToken, ConferenceNotFound)


def decode_event(name: str | None, data: str, event_id: str | None = None) -> Event:
    """An `Event` with its JSON data decoded; undecodable data becomes None (never fatal)."""
    event_name = name or "message"
    decoded: Any
    try:
        decoded = json.loads(data) if data.strip() else None
    except (ValueError, RecursionError):
        # The payload is not logged: it could hold anything.
        log.debug("event %r: data is not JSON (%d characters), ignored", event_name, len(data))
        decoded = None
    return Event(name=event_name, data=decoded, id=event_id or None)


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: whatever bytes are there, without waiting for a full buffer."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # urllib3 < 2.3; chunked replies still arrive chunk by chunk
        yield from response.iter_content(chunk_size=None)
        return
    while True:
        data = read1(READ_SIZE)
        if not data:
            return
        yield data


def stream_socket(response: requests.Response) -> socket.socket | None:
    """The socket an open streaming response reads from (None if it cannot be found)."""
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _interrupt(response: requests.Response, sock: socket.socket | None) -> None:
    """Make a read blocked in another thread return now (shutdown, not close, of the socket).

    The socket itself is shut down: `HTTPResponse.shutdown()` does that in urllib3 2.3+,
    but is a no-op where another package replaced urllib3 by its fork urllib3-future.
    """
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
            return
    try:
        response.raw.shutdown()
    except (AttributeError, ValueError, RuntimeError, OSError):
        # No shutdown available (old urllib3, connection already released): close instead.
        try:
            response.close()
        except Exception as exc:  # stopping must never raise
            log.debug("closing the event stream failed: %s", type(exc).__name__)


class EventStreamReader:
    """Reads a conference's event stream in a thread, reconnecting until stopped.

    `token_provider` is asked for the current token on every (re)connect.
    `on_event(Event)` gets every event; `on_connected(bool)` each connect and
    drop; `on_connect_failed(exc)` each (re)connect that failed with a typed
    error; `on_fatal(exc)` the InvalidToken/ConferenceNotFound that ends the
    reader. All are called from the reader's thread. `last_line_at` tells when the
    node last sent a complete line (an event's or a keepalive comment).
    """

    def __init__(
        self,
        client: InfinityClient,
        alias: str,
        token_provider: Callable[[], str],
        on_event: Callable[[Event], None],
        on_connected: Callable[[bool], None] | None = None,
        on_fatal: Callable[[Exception], None] | None = None,
        backoff: Backoff | None = None,
        on_connect_failed: Callable[[InfinityError], None] | None = None,
    ) -> None:
        self._client = client
        self._alias = alias
        self._token_provider = token_provider
        self._on_event = on_event
        self._on_connected = on_connected
        self._on_fatal = on_fatal
        self._on_connect_failed = on_connect_failed
        self._backoff = backoff or Backoff(initial=0.5, maximum=10.0)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self._socket: socket.socket | None = None
        self._session: requests.Session | None = None
        self._thread: threading.Thread | None = None
        self._connected = False
        self._connections = 0
        self._last_line_at = time.monotonic()
        self.malformed_events = 0

    @property
    def connected(self) -> bool:
        """True while a stream is open."""
        return self._connected

    @property
    def last_line_at(self) -> float:
        """`time.monotonic()` when the node last sent a complete line (or the stream opened)."""
        return self._last_line_at

    @property
    def connections(self) -> int:
        """How many times a stream was opened (1 + reconnects)."""
        return self._connections

    @property
    def running(self) -> bool:
        """True while the reader thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start reading in a daemon thread. A reader starts only once."""
        if self._thread is not None:
            raise RuntimeError("EventStreamReader.start() called twice")
        self._session = self._client.new_session()
        self._thread = threading.Thread(
            target=self._run, name=f"event-stream:{self._alias}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop reading, interrupting a blocked read; True when the thread has ended in time.

        No callback runs once this is called. Called from a callback (the reader's
        own thread) it returns True at once: the reader ends when the callback returns.
        A reader still waiting for the node's reply headers ends by itself within the
        client's read timeout (False is returned if that is longer than `timeout`).
        """
        self._stopping.set()
        with self._lock:
            response, sock = self._response, self._socket
        if response is not None:
            _interrupt(response, sock)
        thread = self._thread
        if thread is None:
            return True
        if thread is threading.current_thread():
            return True
        thread.join(timeout)
        ended = not thread.is_alive()
        if not ended:
            log.warning("event stream reader did not stop within %.1f s", timeout)
        return ended

    # ---- the reader thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                if self._read_once():
                    break
                delay = self._backoff.next_delay()
                log.debug("event stream: reconnecting in %.1f s", delay)
                self._stopping.wait(delay)
        finally:
            if self._session is not None:
                self._session.close()

    def _read_once(self) -> bool:
        """Open the stream and read it until it ends. True when the reader must end."""
        try:
            token = self._token_provider()
            response = self._client.open_event_stream(self._alias, token, session=self._session)
        except FATAL_ERRORS as exc:
            log.info("event stream ended by the node: %s", exc)
            self._call(self._on_fatal, exc)
            return True
        except InfinityError as exc:
            log.info("event stream not connected: %s", exc)
            self._call(self._on_connect_failed, exc)
            return False
        except Exception as exc:  # the reader must survive anything
            if not self._stopping.is_set():  # (a stop cuts an opening stream short: no news)
                log.warning("event stream not connected: %s", type(exc).__name__)
                log.debug("event stream open failed", exc_info=True)
            return False
        with self._lock:
            self._response, self._socket = response, stream_socket(response)
        try:
            if self._stopping.is_set():
                return True
            self._connections += 1
            self._last_line_at = time.monotonic()
            self._set_connected(True)
            self._dispatch(response)
            log.info("event stream closed by the node")
        except Exception as exc:  # a broken connection just means: reconnect
            if not self._stopping.is_set():
                log.info("event stream broke: %s", type(exc).__name__)
        finally:
            with self._lock:
                self._response, self._socket = None, None
            response.close()
            self._set_connected(False)
        return self._stopping.is_set()

    def _dispatch(self, response: requests.Response) -> None:
        parser = SseParser()
        good = False
        for chunk in _chunks(response):
            if self._stopping.is_set():
                return
            lines = parser.lines
            for raw in parser.feed(chunk):
                if raw.malformed:
                    self._skip_malformed(raw.name, raw.malformed)
                    continue
                self._call(self._on_event, decode_event(raw.name, raw.data, raw.id))
                if self._stopping.is_set():
                    return
            if parser.lines != lines:
                self._last_line_at = time.monotonic()
                if not good:
                    good = True
                    self._backoff.reset()  # this connection works: the next drop retries quickly

    def _skip_malformed(self, name: str, why: str) -> None:
        self.malformed_events += 1
        # The first one is worth a warning; a node that keeps sending them, not a flood of it.
        level = logging.WARNING if self.malformed_events == 1 else logging.DEBUG
        log.log(level, "event stream: skipped a malformed %r event (%s; %d so far)", name, why,
                self.malformed_events)

    def _set_connected(self, connected: bool) -> None:
        if self._connected == connected:
            return
        self._connected = connected
        self._call(self._on_connected, connected)

    def _call(self, callback: Callable[[Any], None] | None, argument: Any) -> None:
        """Run a callback unless stopping; its exceptions are logged, never fatal to the reader."""
        if callback is None or self._stopping.is_set():
            return
        try:
            callback(argument)
        except Exception:
            log.exception("event stream callback %s failed", getattr(callback, "__name__", "?"))
