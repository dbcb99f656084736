"""Injected faults: fail or delay the next N matching requests, cut event streams,
answer a call from a far end whose ICE never responds, trickle a reply a byte at a
time or send one that never ends (`hostile_replies`); stream floods and raw bytes
are written into open streams at once (`stream_faults`, see `control_api`).

Faults only touch the protocol under `/api/client/v2` and `/status`, never the
control API under `/_sim/`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from kiosk.simulator.hostile_replies import TRICKLE_FROM, endless_body, trickle
from kiosk.simulator.protocol_replies import ApiError, reply

CONTROL_PREFIX = "/_sim/"
DEFAULT_FAULT_RESULT = "Injected fault"
# Set on a matching request; the `calls` handler then answers with an ICE black hole.
ICE_BLACKHOLE_KEY = web.RequestKey("ice_blackhole", bool)


@dataclass
class Fault:
    """Fail (with `status` and `body`) and/or delay the next `count` requests whose path
    contains `path_contains`. `body`: None gives the node's JSON failure shape; a
    string is sent as-is as text/plain (a non-JSON reply); anything else as JSON.
    `ice_blackhole`: a matching `calls` request is answered by a far end whose ICE
    never responds (see `ice_blackhole.py`); other matching requests pass unchanged
    but count against `count` like any match. `headers` are added to the failing
    reply (e.g. `Retry-After`). `trickle_every` (seconds): the reply (the failing one,
    or else the real one) is written one byte at a time, from its first byte
    (`trickle_from` "headers") or from its body ("body"). `endless_body`: a 200 whose
    body never ends."""

    path_contains: str = ""
    status: int | None = None
    count: int = 1
    delay: float = 0.0
    body: Any = None
    ice_blackhole: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    trickle_every: float = 0.0
    trickle_from: str = "headers"
    endless_body: bool = False
    id: int = 0
    used: int = field(default=0)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """Validate a `POST /_sim/faults` body (without `drop_events`); ApiError 400 if wrong."""
        path = data.get("path_contains", "")
        status = data.get("status")
        count = data.get("count", 1)
        delay = data.get("delay", 0.0)
        if not isinstance(path, str):
            raise ApiError(400, "path_contains must be a string")
        if status is not None and (
            not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599
        ):
            raise ApiError(400, "status must be an HTTP status code")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ApiError(400, "count must be a whole number of at least 1")
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= 600:
            raise ApiError(400, "delay must be 0 to 600 seconds")
        blackhole = data.get("ice_blackhole", False)
        if not isinstance(blackhole, bool):
            raise ApiError(400, "ice_blackhole must be true or false")
        headers = data.get("headers", {})
        if not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            raise ApiError(400, "headers must be an object of strings")
        every = data.get("trickle_every", 0.0)
        if not isinstance(every, (int, float)) or isinstance(every, bool) or not 0 <= every <= 60:
            raise ApiError(400, "trickle_every must be 0 to 60 seconds")
        start = data.get("trickle_from", "headers")
        if start not in TRICKLE_FROM:
            raise ApiError(400, "trickle_from must be headers or body")
        endless = data.get("endless_body", False)
        if not isinstance(endless, bool):
            raise ApiError(400, "endless_body must be true or false")
        return cls(
            path_contains=path,
            status=status,
            count=count,
            delay=float(delay),
            body=data.get("body"),
            ice_blackhole=blackhole,
            headers=dict(headers),
            trickle_every=float(every),
            trickle_from=start,
            endless_body=endless,
        )

    @property
    def arms_something(self) -> bool:
        """True when the fault changes requests (a status, a delay, an ICE black hole, a
        trickled or an endless reply)."""
        return (self.status is not None or self.delay > 0 or self.ice_blackhole
                or self.trickle_every > 0 or self.endless_body)

    def to_json(self) -> dict[str, Any]:
        """The fault as listed by `GET /_sim/faults`."""
        return {
            "id": self.id,
            "path_contains": self.path_contains,
            "status": self.status,
            "count": self.count,
            "remaining": self.count - self.used,
            "delay": self.delay,
            "body": self.body,
            "ice_blackhole": self.ice_blackhole,
            "headers": self.headers,
            "trickle_every": self.trickle_every,
            "trickle_from": self.trickle_from,
            "endless_body": self.endless_body,
        }

    def response(self) -> web.Response:
        """The failing reply."""
        assert self.status is not None
        if self.body is None:
            response = reply(DEFAULT_FAULT_RESULT, http_status=self.status, status_text="failed")
        elif isinstance(self.body, str):
            response = web.Response(status=self.status, text=self.body, content_type="text/plain")
        else:
            response = web.Response(
                status=self.status, text=json.dumps(self.body), content_type="application/json"
            )
        response.headers.update(self.headers)
        return response


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FaultInjector:
    """The active faults of a simulator and the middleware that applies them."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, fault: Fault) -> Fault:
        """Arm a fault (a pure `drop_events` request arms nothing)."""
        fault.id = next(self._ids)
        self._faults.append(fault)
        return fault

    def clear(self) -> int:
        """Disarm every fault; return how many were armed."""
        count = len(self._faults)
        self._faults.clear()
        return count

    def active(self) -> list[Fault]:
        """The armed faults."""
        return list(self._faults)

    def take(self, path: str) -> Fault | None:
        """The first armed fault matching `path`, counting this request against it."""
        if path.startswith(CONTROL_PREFIX):
            return None
        for fault in self._faults:
            if fault.path_contains in path:
                fault.used += 1
                if fault.used >= fault.count:
                    self._faults.remove(fault)
                return fault
        return None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Delay and/or fail a request that matches an armed fault."""
        fault = self.take(request.path)
        if fault is None:
            return await handler(request)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.endless_body:
            return await endless_body(request)
        if fault.status is not None:
            response: web.StreamResponse = fault.response()
        elif fault.trickle_every and request.path.endswith("/events"):
            # A stream's reply is never complete: trickle the start of one.
            response = web.Response(body=b": slow\n\n", content_type="text/event-stream")
        else:
            if fault.ice_blackhole:
                request[ICE_BLACKHOLE_KEY] = True
            try:
                response = await handler(request)
            except ApiError as error:
                if not fault.trickle_every:
                    raise
                response = error.response()
        if fault.trickle_every and isinstance(response, web.Response):
            return await trickle(request, response, fault.trickle_every, fault.trickle_from)
        return response
