"""One call to give a running ConferenceSession its health endpoint and metrics.

The UI launcher does::

    health = SessionHealth(session, settings.health_addr)
    await health.start()      # never raises: a busy port only logs an error
    ...
    await health.stop()
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from kiosk import __version__
from kiosk.health.metrics import KioskMetrics
from kiosk.health.node_probe import CachedNodeProbe
from kiosk.health.server import HealthServer
from kiosk.health.session_recorder import SessionMetricsRecorder
from kiosk.media.interface import MediaCall, MediaStats
from kiosk.session_state import SessionSnapshot

log = logging.getLogger(__name__)


class ObservableSession(Protocol):
    """What SessionHealth needs of `kiosk.conference.ConferenceSession`."""

    @property
    def snapshot(self) -> SessionSnapshot: ...

    @property
    def media_call(self) -> MediaCall | None: ...

    def subscribe(
        self, callback: Callable[[SessionSnapshot], None]
    ) -> Callable[[], None]: ...

    def check_node(self) -> Awaitable[bool]: ...


class SessionHealth:
    """Metrics, their recorder and the HTTP server for one session."""

    def __init__(
        self,
        session: ObservableSession,
        addr: str,
        version: str = __version__,
        node_check_ttl: float = 30.0,
    ) -> None:
        self._session = session
        self.metrics = KioskMetrics(version=version)
        self.recorder = SessionMetricsRecorder(self.metrics)
        self.node_probe = CachedNodeProbe(session.check_node, ttl=node_check_ttl)
        self.server = HealthServer(
            addr,
            lambda: session.snapshot,
            self.metrics,
            node_probe=self.node_probe,
            media_stats=self._media_stats,
            last_error=lambda: self.recorder.last_error,
            version=version,
        )
        self._unsubscribe: Callable[[], None] | None = None

    async def _media_stats(self) -> MediaStats | None:
        call = self._session.media_call
        return await call.stats() if call is not None else None

    async def start(self) -> None:
        """Start recording and serving; a bind failure is logged, never raised."""
        if self._unsubscribe is None:
            self._unsubscribe = self.recorder.attach(
                self._session.subscribe, current=self._session.snapshot
            )
        try:
            await self.server.start()
        except (OSError, ValueError) as exc:
            log.error("Health endpoint off: cannot listen on %s (%s)",
                      self.server.addr, getattr(exc, "strerror", None) or exc)

    async def stop(self) -> None:
        """Stop serving and unsubscribe; safe to call twice."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self.server.stop()
