"""GET /healthz (JSON) and GET /metrics (Prometheus text) over aiohttp.

Runs on the kiosk's asyncio loop, on `KIOSK_HEALTH_ADDR` (loopback by default,
empty = off). Nothing here blocks: the node check is cached and has a deadline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import psutil
from aiohttp import web

from kiosk import __version__
from kiosk.health.health_report import build_health_report
from kiosk.health.metrics import KioskMetrics
from kiosk.health.node_probe import CachedNodeProbe
from kiosk.health.session_recorder import RecordedError
from kiosk.media.interface import MediaStats
from kiosk.session_state import SessionSnapshot

log = logging.getLogger(__name__)

MediaStatsProvider = Callable[[], Awaitable[MediaStats | None]]
STATS_TIMEOUT = 2.0


def split_host_port(addr: str) -> tuple[str, int]:
    """'127.0.0.1:9110' / '[::1]:9110' / '0.0.0.0:0' -> (host, port). Raises ValueError."""
    host, sep, port = addr.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{addr!r} is not host:port")
    return host.strip("[]"), int(port)


def process_uptime() -> float:
    """Seconds since this process started."""
    return max(0.0, time.time() - psutil.Process().create_time())


class HealthServer:
    """Serves /healthz and /metrics for one kiosk.

    `snapshot_provider` returns the session's current snapshot; `node_probe`,
    `media_stats` and `last_error` are optional sources for the node check, the
    call's frame rates and the last error shown.
    """

    def __init__(
        self,
        addr: str,
        snapshot_provider: Callable[[], SessionSnapshot],
        metrics: KioskMetrics,
        *,
        node_probe: CachedNodeProbe | None = None,
        media_stats: MediaStatsProvider | None = None,
        last_error: Callable[[], RecordedError | None] | None = None,
        version: str = __version__,
        uptime: Callable[[], float] = process_uptime,
    ) -> None:
        self._addr = addr.strip()
        self._snapshot = snapshot_provider
        self._metrics = metrics
        self._node_probe = node_probe
        self._media_stats = media_stats
        self._last_error = last_error
        self._version = version
        self._uptime = uptime
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def addr(self) -> str:
        """The configured host:port ('' = off)."""
        return self._addr

    @property
    def enabled(self) -> bool:
        """False when the address is empty (KIOSK_HEALTH_ADDR= turns the endpoint off)."""
        return bool(self._addr)

    @property
    def port(self) -> int | None:
        """The bound TCP port once started (useful with port 0)."""
        return self._port

    @property
    def url(self) -> str | None:
        """http://host:port of the running server, or None."""
        if self._port is None:
            return None
        host, _ = split_host_port(self._addr)
        return f"http://{f'[{host}]' if ':' in host else host}:{self._port}"

    async def start(self) -> None:
        """Listen on the address; does nothing when disabled. Raises OSError if it cannot bind."""
        if not self.enabled or self._runner is not None:
            return
        host, port = split_host_port(self._addr)
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_handler)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = runner.addresses[0][1]
        log.info("Health endpoint on %s (/healthz, /metrics)", self.url)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        self._port = None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        node = await self._node_probe.get() if self._node_probe is not None else None
        if node is not None:
            self._metrics.set_node_reachable(node.reachable)
        report = build_health_report(
            self._snapshot(),
            version=self._version,
            uptime_seconds=self._uptime(),
            now=time.monotonic(),
            wall_now=time.time(),
            node=node,
            last_error=self._last_error() if self._last_error is not None else None,
        )
        return web.json_response(report, headers={"Cache-Control": "no-store"})

    async def _metrics_handler(self, request: web.Request) -> web.Response:
        await self._update_fps()
        self._metrics.set_state(self._snapshot().state)
        # Seen from outside the process only here (the soak bench watches it for leaks).
        self._metrics.asyncio_tasks.set(len(asyncio.all_tasks()))
        node = self._node_probe.last if self._node_probe is not None else None
        if node is not None:
            self._metrics.set_node_reachable(node.reachable)
        return web.Response(
            body=self._metrics.render(),
            headers={"Content-Type": self._metrics.content_type, "Cache-Control": "no-store"},
        )

    async def _update_fps(self) -> None:
        stats: MediaStats | None = None
        if self._media_stats is not None:
            try:
                stats = await asyncio.wait_for(self._media_stats(), STATS_TIMEOUT)
            except Exception as exc:  # metrics must render even if the call is going away
                log.debug("Media stats unavailable: %s", type(exc).__name__)
        self._metrics.set_media(stats)
