"""Test helper: a real HTTPS calendar server on 127.0.0.1 (trustme CA), whose reply tests
change at will, with ETag / Last-Modified handling like a real feed host."""

from __future__ import annotations

import contextlib
import hashlib
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

import trustme

LAST_MODIFIED = "Wed, 11 Jun 2025 06:00:00 GMT"


@dataclass
class FeedReplyPlan:
    """What the server answers next: `status`, `body`, `content_type`; `etag=True` gives a
    strong ETag of the body and honours If-None-Match / If-Modified-Since."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/calendar; charset=utf-8"
    etag: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the reply's headers (a stalled server)


class FeedServer:
    """`url` is https://127.0.0.1:PORT/calendar.ics; trust `ca_bundle`. `requests` records
    (path, headers) of each request."""

    def __init__(self, directory: Path) -> None:
        self.plan = FeedReplyPlan()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        ca = trustme.CA()
        self.ca_bundle = directory / "feed-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_bundle))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._answer(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/calendar.ics"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            plan = self.plan
            self.requests.append((handler.path, dict(handler.headers.items())))
        if plan.delay:
            time.sleep(plan.delay)
        etag = '"' + hashlib.sha256(plan.body).hexdigest()[:16] + '"'
        # RFC 9110: If-None-Match, when sent, decides alone.
        asked = handler.headers.get("If-None-Match")
        unchanged = asked == etag if asked is not None else (
            handler.headers.get("If-Modified-Since") == LAST_MODIFIED)
        if plan.status == 200 and plan.etag and unchanged:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        handler.send_response(plan.status)
        handler.send_header("Content-Type", plan.content_type)
        handler.send_header("Content-Length", str(len(plan.body)))
        if plan.status == 200 and plan.etag:
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", LAST_MODIFIED)
        for key, value in plan.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        with contextlib.suppress(OSError):  # the client stopped reading (a size limit)
            handler.wfile.write(plan.body)

    def serve(self, body: bytes, **kwargs: object) -> None:
        """Answer `body` from now on (see FeedReplyPlan for the options)."""
        with self._lock:
            self.plan = FeedReplyPlan(body=body, **kwargs)  # type: ignore[arg-type]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
