"""`Simulator`: the stand-in Pexip Conferencing Node as a real aiohttp HTTPS server.

Usage (inside an event loop)::

    sim = Simulator(load_demo_rooms())
    await sim.start()
    ...  # clients use sim.url and trust sim.ca_bundle
    await sim.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from aiohttp import web

from kiosk.config import is_loopback_host
from kiosk.media.loopback_ice import use_loopback_candidates_only
from kiosk.simulator.breakouts import Breakouts
from kiosk.simulator.client_api import ClientApi
from kiosk.simulator.control_api import ControlApi
from kiosk.simulator.demo_calendar import DemoCalendar
from kiosk.simulator.far_end import AiortcFarEnds, FarEndFactory
from kiosk.simulator.far_end_video import FarEndVideo
from kiosk.simulator.fault_injector import FaultInjector
from kiosk.simulator.meeting_script import ScriptRoutes
from kiosk.simulator.node import BANDWIDTH_KBPS, SimulatedNode
from kiosk.simulator.presentation_api import PresentationApi
from kiosk.simulator.protocol_replies import ApiError, reply
from kiosk.simulator.rooms import RoomConfig
from kiosk.simulator.schema_recorder import SchemaRecorder
from kiosk.simulator.sdp_faults import SdpFaults
from kiosk.simulator.theme import ThemeRoutes
from kiosk.simulator.tls_authority import TlsAuthority

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 0.5  # seconds granted to in-flight requests when stopping


class SimulatorError(RuntimeError):
    """The simulator could not start (port in use, bad address, ...)."""


@web.middleware
async def _error_middleware(request: web.Request, handler: object) -> web.StreamResponse:
    """ApiError → its JSON reply; any other failure → a JSON 500, and the server goes on."""
    try:
        return await handler(request)  # type: ignore[operator]
    except ApiError as error:
        return error.response()
    except web.HTTPException:
        raise
    except Exception:
        log.exception("simulator: unexpected error on %s %s", request.method, request.path)
        return reply("Internal server error", http_status=500, status_text="failed")


def _url_host(host: str) -> str:
    """The host part of the URL clients use: unspecified binds are reached on loopback."""
    bare = host.strip("[]")
    try:
        ip = ipaddress.ip_address(bare)
    except ValueError:
        return bare
    if ip.is_unspecified:
        return "127.0.0.1" if ip.version == 4 else "[::1]"
    return f"[{bare}]" if ip.version == 6 else bare


class Simulator:
    """A simulated Pexip Conferencing Node serving the Client REST API v2 and `/_sim/`."""

    def __init__(
        self,
        rooms: Sequence[RoomConfig],
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = True,
        token_expires: float = 120.0,
        cert_dir: Path | None = None,
        far_end_video: FarEndVideo | None = None,
        far_ends: FarEndFactory | None = None,
    ) -> None:
        """`far_end_video`: what the far ends send (default: the labelled 640x360 pattern);
        `far_ends`: another far end entirely (a test's own peer), instead of aiortc's."""
        if token_expires <= 0:
            raise ValueError("token_expires must be positive")
        self._host = host
        self._port = port
        self._tls = tls
        self._cert_dir = cert_dir
        self._owned_cert_dir: Path | None = None
        self._ca_bundle: Path | None = None
        self._own_far_ends = (
            AiortcFarEnds(far_end_video or FarEndVideo(), BANDWIDTH_KBPS)
            if far_ends is None else None
        )
        self._node = SimulatedNode(
            rooms, token_expires=token_expires, far_ends=far_ends or self._own_far_ends
        )
        self._faults = FaultInjector()
        self._calendar = DemoCalendar()  # its times count from when the simulator was made
        self._runner: web.AppRunner | None = None
        self._reaper: asyncio.Task[None] | None = None
        self._bound_port: int | None = None
        # Check often enough that a missed refresh is noticed within ~10 % of the lifetime.
        self._reap_interval = max(0.05, min(1.0, token_expires / 10))

    # ------------------------------------------------------------- properties

    @property
    def url(self) -> str:
        """The node's base URL, e.g. `https://127.0.0.1:PORT` (after `start()`)."""
        if self._bound_port is None:
            raise RuntimeError("the simulator is not running")
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{_url_host(self._host)}:{self._bound_port}"

    @property
    def port(self) -> int:
        """The TCP port it listens on (after `start()`)."""
        if self._bound_port is None:
            raise RuntimeError("the simulator is not running")
        return self._bound_port

    @property
    def ca_bundle(self) -> Path | None:
        """The PEM file of the throw-away CA to trust (None without TLS)."""
        return self._ca_bundle

    @property
    def recorder(self) -> SchemaRecorder:
        """What it sent, for schema checks (off until `recorder.enabled = True`)."""
        return self._node.recorder

    @property
    def node(self) -> SimulatedNode:
        """The simulated node's state (for in-process tests on the same loop)."""
        return self._node

    # -------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen and serve; raise SimulatorError if the server cannot start."""
        if self._runner is not None:
            return
        if self._own_far_ends is not None:
            try:  # the meeting clips are encoded the first time (seconds), then cached
                await asyncio.to_thread(self._own_far_ends.prepare)
            except (OSError, ValueError) as exc:
                raise SimulatorError(f"the far end's video cannot be made: {exc}") from None
        if is_loopback_host(self._host.strip("[]")):
            # The far ends must offer 127.0.0.1, which aioice leaves out by default.
            use_loopback_candidates_only()
        ssl_context = None
        if self._tls:
            authority = TlsAuthority(self._host)
            directory = self._cert_dir
            if directory is None:
                directory = self._owned_cert_dir = Path(tempfile.mkdtemp(prefix="kiosk-sim-"))
            self._ca_bundle = authority.write_ca_bundle(directory)
            ssl_context = authority.server_context()
        sdp_faults = SdpFaults(self._node)
        app = web.Application(middlewares=[_error_middleware, self._faults.middleware,
                                           sdp_faults.middleware, self._node.recorder.middleware])
        breakouts = Breakouts(self._node)
        # Before ClientApi: its catch-all `{action}` routes must not shadow these.
        PresentationApi(self._node).add_routes(app)
        ThemeRoutes(self._node).add_routes(app)
        breakouts.add_routes(app)
        ClientApi(self._node).add_routes(app)
        ControlApi(self._node, self._faults).add_routes(app)
        sdp_faults.add_routes(app)
        ScriptRoutes(self._node, breakouts).add_routes(app)
        self._calendar.add_routes(app)
        # No access log: event-stream URLs may carry `?token=`.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port, ssl_context=ssl_context)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            self._remove_owned_cert_dir()
            raise SimulatorError(
                f"cannot listen on {self._host}:{self._port} ({exc.strerror or exc})"
            ) from None
        self._runner = runner
        self._bound_port = runner.addresses[0][1]
        self._reaper = asyncio.get_running_loop().create_task(self._reap())
        log.info("simulator serving %s", self.url)

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(self._reap_interval)
            try:
                self._node.expire_due()
            except Exception:
                log.exception("simulator: the expiry check failed")

    async def stop(self) -> None:
        """Close every stream and peer, stop listening, remove the throw-away CA file."""
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
            self._reaper = None
        await self._node.close()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        self._bound_port = None
        self._remove_owned_cert_dir()

    def _remove_owned_cert_dir(self) -> None:
        if self._owned_cert_dir is not None:
            shutil.rmtree(self._owned_cert_dir, ignore_errors=True)
            self._owned_cert_dir = None
            self._ca_bundle = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
