"""`GET /conferences/{alias}/events`: a participant's server-sent event stream."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiohttp import web

from kiosk.simulator.event_hub import StreamEnd
from kiosk.simulator.node import SimulatedNode
from kiosk.simulator.stream_faults import EventFlood, RawStreamBytes

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how often a quiet stream checks whether its client went away
KEEPALIVE_SECONDS = 10.0  # an SSE comment on a quiet stream, as proxies expect


async def serve_event_stream(
    request: web.Request, node: SimulatedNode, alias: str
) -> web.StreamResponse:
    """Authenticate (header `token` or `?token=`), replay the roster, then stream live events."""
    token = request.headers.get("token") or request.query.get("token")
    subscription = node.open_events(alias, token, request.path)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    ended = StreamEnd.CLOSE
    try:
        await response.prepare(request)
        last_write = time.monotonic()
        while True:
            try:
                item = await asyncio.wait_for(subscription.queue.get(), POLL_SECONDS)
            except TimeoutError:
                transport = request.transport
                if transport is None or transport.is_closing():
                    break
                if time.monotonic() - last_write >= KEEPALIVE_SECONDS:
                    await response.write(b": keepalive\n\n")
                    last_write = time.monotonic()
                continue
            if isinstance(item, StreamEnd):
                ended = item
                break
            if isinstance(item, EventFlood | RawStreamBytes):
                for chunk in item.chunks():
                    if request.transport is None or request.transport.is_closing():
                        raise ConnectionResetError("the client went away during a flood")
                    await response.write(chunk)  # waits while the client is not reading
                    await asyncio.sleep(0)  # and lets the loop see it go, if it does
                last_write = time.monotonic()
                continue
            await response.write(item.encode())
            node.recorder.event(item.name, item.data, item.off_schema)
            last_write = time.monotonic()
    except ConnectionError:
        ended = StreamEnd.DROP
    finally:
        node.hub.unsubscribe(subscription)
    if ended is StreamEnd.DROP:
        # A network drop: no orderly end of the chunked body.
        if request.transport is not None:
            request.transport.abort()
        return response
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response
