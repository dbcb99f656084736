"""A scripted HTTP(S) node for client tests: canned replies per path, on 127.0.0.1:0.

A real aiohttp server (with a throw-away trustme CA for HTTPS) running on its
own event loop in a background thread, so that the blocking `InfinityClient`
talks to it over real loopback sockets. Tests script what each path answers
(status, JSON or raw body, headers, delay, or a server-sent event stream) and
read back what the server received (headers, body).
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web

API = "/api/client/v2"
_NO_JSON = object()


@dataclass(frozen=True)
class Reply:
    """One canned reply. `events` makes it a text/event-stream; `hold_open` keeps it open."""

    status: int = 200
    json_body: Any = _NO_JSON
    raw_body: bytes | None = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    events: Sequence[tuple[str, str]] | None = None
    hold_open: bool = False

    @classmethod
    def result(cls, result: Any, status: int = 200, status_field: str | None = None,
               **kwargs: Any) -> Reply:
        """A Pexip-shaped `{"status": ..., "result": ...}` reply."""
        state = status_field or ("success" if status < 400 else "failed")
        return cls(status=status, json_body={"status": state, "result": result}, **kwargs)

    @classmethod
    def stream(cls, events: Sequence[tuple[str, str]], hold_open: bool = False) -> Reply:
        """An event stream: `(name, data text)` pairs, then closed or held open."""
        return cls(events=tuple(events), hold_open=hold_open)


@dataclass(frozen=True)
class Seen:
    """A request the node received."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    query: Mapping[str, str]

    def json(self) -> Any:
        """The request body decoded as JSON."""
        return json.loads(self.body)


class ScriptedNode:
    """Context manager: start on enter, stop on exit. Paths are relative to `/api/client/v2`."""

    def __init__(
        self,
        cert_dir: Path,
        tls: bool = True,
        cert_names: Sequence[str] = ("127.0.0.1", "localhost"),
    ) -> None:
        self._cert_dir = cert_dir
        self._tls = tls
        self._lock = threading.Lock()
        self._scripts: dict[tuple[str, str], list[Reply]] = {}
        self._seen: list[Seen] = []
        self._seen_changed = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._port = 0
        self._startup_error: BaseException | None = None
        self.ca_bundle = cert_dir / "scripted-ca.pem"
        self._ssl_context: ssl.SSLContext | None = None
        if tls:
            ca = trustme.CA()
            cert = ca.issue_cert(*cert_names)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(context)
            ca.cert_pem.write_to_path(str(self.ca_bundle))
            self._ssl_context = context

    # ---- scripting ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """`https://127.0.0.1:PORT` (or http)."""
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        """The port the node listens on."""
        return self._port

    def script(self, path: str, *replies: Reply, method: str = "POST") -> None:
        """Replies for `method path`, in order; the last one repeats."""
        with self._lock:
            self._scripts[(method.upper(), API + path)] = list(replies)

    def reset(self) -> None:
        """Forget scripts and recorded requests."""
        with self._lock:
            self._scripts.clear()
            self._seen.clear()

    def seen(self, path: str | None = None) -> list[Seen]:
        """Requests received (to `path` only, when given)."""
        with self._lock:
            return [s for s in self._seen if path is None or s.path == API + path]

    def wait_for(self, path: str, count: int, timeout: float = 5.0) -> list[Seen]:
        """Block until `count` requests to `path` arrived; return them (assert on timeout)."""
        full = API + path
        with self._seen_changed:
            ok = self._seen_changed.wait_for(
                lambda: sum(s.path == full for s in self._seen) >= count, timeout
            )
            requests = [s for s in self._seen if s.path == full]
        assert ok, f"{count} requests to {path} expected, got {len(requests)}"
        return requests

    # ---- server ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        seen = Seen(
            method=request.method,
            path=request.rel_url.raw_path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            query=dict(request.query),
        )
        with self._seen_changed:
            self._seen.append(seen)
            queue = self._scripts.get((request.method, seen.path))
            reply = None
            if queue:
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
            self._seen_changed.notify_all()
        if reply is None:
            return web.Response(status=418, text=f"no script for {request.method} {seen.path}")
        if reply.delay and await self._closing_within(reply.delay):
            return web.Response(status=503, text="shutting down")
        if reply.events is not None:
            return await self._stream(request, reply)
        headers = dict(reply.headers)
        if reply.raw_body is not None:
            content_type = reply.content_type or "text/html"
            return web.Response(status=reply.status, body=reply.raw_body, headers=headers,
                                content_type=content_type)
        if reply.json_body is not _NO_JSON:
            return web.Response(status=reply.status, text=json.dumps(reply.json_body),
                                headers=headers, content_type="application/json")
        return web.Response(status=reply.status, headers=headers)

    async def _closing_within(self, seconds: float) -> bool:
        assert self._closing is not None
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _stream(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200, headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        assert reply.events is not None
        for number, (name, data) in enumerate(reply.events, start=1):
            lines = "".join(f"data: {line}\n" for line in data.split("\n"))
            await response.write(f"event: {name}\n{lines}id: {number}\n\n".encode())
        if reply.hold_open:
            assert self._closing is not None
            await self._closing.wait()
        return response

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._start_site())
        except BaseException as exc:  # reported to the starting thread
            self._startup_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.close()

    async def _start_site(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock, ssl_context=self._ssl_context)
        await site.start()

    def start(self) -> ScriptedNode:
        """Start serving in a daemon thread; returns when the port is known."""
        self._thread = threading.Thread(target=self._serve, name="scripted-node", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("scripted node did not start")
        if self._startup_error is not None:
            raise RuntimeError("scripted node did not start") from self._startup_error
        return self

    def stop(self) -> None:
        """Release held streams and delays, stop the server and its thread."""
        loop = self._loop
        if loop is None or self._thread is None:
            return

        async def shutdown() -> None:
            assert self._closing is not None and self._runner is not None
            self._closing.set()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)

    def __enter__(self) -> ScriptedNode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
