"""Replies of a node that misbehaves on the wire: trickled a byte at a time, or endless.

The faults behind `POST /_sim/faults` `{"trickle_every": s, "trickle_from": "headers" |
"body"}` and `{"endless_body": true}`. A trickled reply is the real reply, written
straight to the connection one byte every `every` seconds (from its first byte, or
from the first byte of its body); an endless reply is a chunked 200 whose body never
ends. Both stop as soon as the client goes away.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus

from aiohttp import web

log = logging.getLogger(__name__)

ENDLESS_CHUNK = b"x" * 65536
TRICKLE_FROM = ("headers", "body")


def raw_http(response: web.Response) -> tuple[bytes, bytes]:
    """The status line with headers, and the body, of `response` as HTTP/1.1 bytes."""
    body = response.body if isinstance(response.body, bytes) else b""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    content_type = response.content_type or "application/json"
    charset = f"; charset={response.charset}" if response.charset else ""
    lines.append(f"Content-Type: {content_type}{charset}")
    for name, value in response.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            lines.append(f"{name}: {value}")
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1"), body


async def trickle(request: web.Request, response: web.Response, every: float,
                  start: str) -> web.Response:
    """Write `response` one byte every `every` seconds (the headers at once when `start` is
    "body"), then close the connection. Returns a reply aiohttp will not send."""
    head, body = raw_http(response)
    slow = head + body
    if request.transport is not None and start == "body":
        request.transport.write(head)
        slow = body
    for offset in range(len(slow)):
        transport = request.transport  # None once the client has gone (connection_lost)
        if transport is None or transport.is_closing():
            break
        transport.write(slow[offset:offset + 1])
        await asyncio.sleep(every)
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=response.status)  # never reaches the closed connection


async def endless_body(request: web.Request) -> web.StreamResponse:
    """A 200 whose chunked JSON-looking body goes on until the client hangs up."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    sent = 0
    try:
        await response.write(b'{"status": "success", "result": "')
        while request.transport is not None and not request.transport.is_closing():
            await response.write(ENDLESS_CHUNK)  # waits while the client is not reading
            sent += len(ENDLESS_CHUNK)
            # A write that does not wait must still let the loop notice a client gone.
            await asyncio.sleep(0)
    except (ConnectionError, RuntimeError):
        log.info("simulator: the endless reply ended after %d bytes (client gone)", sent)
    if request.transport is not None:
        request.transport.abort()
    return response
