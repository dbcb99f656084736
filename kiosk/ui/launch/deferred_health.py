"""The health endpoint, started once Home is up rather than before it.

`kiosk.health` brings aiohttp and prometheus_client (~0.3 s of imports on a
small board): nothing asks for /healthz in the first second, so the kiosk shows
Home first and imports the endpoint in a worker thread.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.conference import ConferenceSession
    from kiosk.health import SessionHealth

HEALTH_MODULE = "kiosk.health"


class DeferredHealth:
    """`kiosk.health.SessionHealth` for `session` on `address`, imported and started on demand."""

    def __init__(self, session: ConferenceSession, address: str) -> None:
        self._session = session
        self._address = address
        self._health: SessionHealth | None = None
        self._stopped = False
        self._lockouts: list[float] = []  # admin lock-outs before the endpoint was up

    @property
    def url(self) -> str | None:
        """http://host:port once it listens, else None."""
        return self._health.server.url if self._health is not None else None

    async def start(self) -> None:
        """Import and start it (never raises: a busy port is one log line)."""
        if self._health is not None or self._stopped:
            return
        module = await asyncio.to_thread(importlib.import_module, HEALTH_MODULE)
        if self._stopped:  # the app ended while it was importing
            return
        self._health = module.SessionHealth(self._session, self._address)
        for seconds in self._lockouts:
            self._health.metrics.record_admin_lockout(seconds)
        self._lockouts.clear()
        await self._health.start()

    def record_admin_lockout(self, seconds: float) -> None:
        """Count an admin lock-out in /metrics (kept until the endpoint is up)."""
        if self._health is not None:
            self._health.metrics.record_admin_lockout(seconds)
        else:
            self._lockouts.append(seconds)

    async def stop(self) -> None:
        """Stop it if it was started; it is not started afterwards."""
        self._stopped = True
        if self._health is not None:
            await self._health.stop()
