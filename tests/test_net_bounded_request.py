"""Every HTTP exchange ends within its total deadline and never reads past its size limit,
against real misbehaving servers on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from kiosk.net import BodyTooLarge, DeadlineAdapter, DeadlineExceeded, HttpLimits, bounded_request

Handler = Callable[[socket.socket], None]


class RawServer:
    """A TCP server on 127.0.0.1 answering each connection with `handler` in a thread."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            self._handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], str]]:
    servers: list[RawServer] = []

    def start(handler: Handler) -> str:
        server = RawServer(handler)
        servers.append(server)
        return f"http://127.0.0.1:{server.port}/"

    yield start
    for server in servers:
        server.close()


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    adapter = DeadlineAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _trickle(data: bytes, every: float) -> Handler:
    def handler(conn: socket.socket) -> None:
        for byte in data:
            conn.sendall(bytes([byte]))
            time.sleep(every)
    return handler


LIMITS = HttpLimits(deadline=1.5, max_body=1024, connect=2.0, read=3.0)


def test_a_normal_reply_is_read_in_full(serve: Callable[[Handler], str]) -> None:
    body = b'{"status": "success", "result": true}'

    def handler(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    reply = bounded_request(_session(), "GET", serve(handler), LIMITS)
    assert reply.status == 200
    assert reply.body == body
    assert reply.headers["Content-Type"] == "application/json"


def test_headers_trickled_one_byte_at_a_time_end_at_the_deadline(
        serve: Callable[[Handler], str]) -> None:
    # Each byte comes well within the read timeout, so only a total deadline can stop it.
    url = serve(_trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000, every=0.3))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        bounded_request(_session(), "GET", url, LIMITS)
    assert time.monotonic() - started < LIMITS.deadline + 1.0


def test_a_body_trickled_past_the_deadline_is_cut_off(serve: Callable[[Handler], str]) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"

    def handler(conn: socket.socket) -> None:
        conn.sendall(head)
        _trickle(b"x" * 500, every=0.3)(conn)

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        bounded_request(_session(), "GET", serve(handler), LIMITS)
    assert time.monotonic() - started < LIMITS.deadline + 1.0


def test_an_endless_chunked_body_stops_at_the_size_limit(serve: Callable[[Handler], str]) -> None:
    def handler(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 4096
        while True:
            conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    with pytest.raises(BodyTooLarge):
        bounded_request(_session(), "GET", serve(handler), LIMITS)


def test_a_declared_length_over_the_limit_is_refused_unread(
        serve: Callable[[Handler], str]) -> None:
    def handler(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n")
        time.sleep(2)

    started = time.monotonic()
    with pytest.raises(BodyTooLarge):
        bounded_request(_session(), "GET", serve(handler), LIMITS)
    assert time.monotonic() - started < 1.0


def test_the_deadline_of_one_thread_never_cuts_another_threads_exchange(
        serve: Callable[[Handler], str]) -> None:
    session = _session()
    slow = serve(_trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000, every=0.3))

    def quick_handler(conn: socket.socket) -> None:
        time.sleep(0.8)  # still reading when the other thread's deadline passes
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    quick = serve(quick_handler)
    results: list[object] = []

    def other() -> None:
        results.append(bounded_request(session, "GET", quick, HttpLimits(deadline=5.0)))

    thread = threading.Thread(target=other)
    thread.start()
    with pytest.raises(DeadlineExceeded):
        bounded_request(session, "GET", slow, HttpLimits(deadline=0.5))
    thread.join(5)
    assert len(results) == 1 and results[0].body == b"ok"  # type: ignore[attr-defined]
