"""Injected faults: fail or delay the next N matching requests, cut event streams,
or answer a call from a far end whose ICE never responds.

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
    but count against `count` like any match."""

    path_contains: str = ""
    status: int | None = None
    count: int = 1
    delay: float = 0.0
    body: Any = None
    ice_blackhole: bool = False
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
        return cls(
            path_contains=path,
            status=status,
            count=count,
            delay=float(delay),
            body=data.get("body"),
            ice_blackhole=blackhole,
        )

    @property
    def arms_something(self) -> bool:
        """True when the fault changes requests (a status, a delay or an ICE black hole)."""
        return self.status is not None or self.delay > 0 or self.ice_blackhole

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
        }

    def response(self) -> web.Response:
        """The failing reply."""
        assert self.status is not None
        if self.body is None:
            return reply(DEFAULT_FAULT_RESULT, http_status=self.status, status_text="failed")
        if isinstance(self.body, str):
            return web.Response(status=self.status, text=self.body, content_type="text/plain")
        return web.Response(
            status=self.status, text=json.dumps(self.body), content_type="application/json"
        )


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
        if fault.status is not None:
            return fault.response()
        if fault.ice_blackhole:
            request[ICE_BLACKHOLE_KEY] = True
        return await handler(request)
