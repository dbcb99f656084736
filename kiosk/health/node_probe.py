"""Is the Conferencing Node reachable? Asked at most once per `ttl`, never for long.

/healthz may be polled by a monitoring system every few seconds; the node should
not see a request for each of those, and a slow or dead node must not make
/healthz slow. So the answer is cached and each check has a deadline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeCheck:
    """The result of the last check and when it was made (time.monotonic())."""

    reachable: bool
    checked_at: float


class CachedNodeProbe:
    """Wraps an async check (e.g. `ConferenceSession.check_node`) with a cache and a timeout."""

    def __init__(
        self,
        check: Callable[[], Awaitable[bool]],
        ttl: float = 30.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = check
        self._ttl = ttl
        self._timeout = timeout
        self._clock = clock
        self._last: NodeCheck | None = None
        self._lock = asyncio.Lock()

    @property
    def last(self) -> NodeCheck | None:
        """The cached result, if any."""
        return self._last

    async def get(self) -> NodeCheck:
        """The cached result if fresh, else a new check (concurrent callers share one)."""
        async with self._lock:
            last = self._last
            if last is not None and self._clock() - last.checked_at < self._ttl:
                return last
            try:
                reachable = bool(await asyncio.wait_for(self._check(), self._timeout))
            except TimeoutError:
                log.info("Node check took longer than %.0f s: reporting unreachable",
                         self._timeout)
                reachable = False
            except Exception as exc:  # a health probe must answer, whatever the check does
                log.info("Node check failed: %s", type(exc).__name__)
                reachable = False
            self._last = NodeCheck(reachable=reachable, checked_at=self._clock())
            return self._last
