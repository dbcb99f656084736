"""`SimulatorThread`: a `Simulator` on its own event loop in a daemon thread.

For blocking tests::

    with SimulatorThread() as sim:          # the packaged demo rooms
        requests.get(sim.url + "/api/client/v2/status", verify=str(sim.ca_bundle))
        sim.control.host_joins("meet.team")

`control` is a `SimulatorControl`: it drives the simulator through its `/_sim/` HTTP API.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from kiosk.simulator.control_client import SimulatorControl
from kiosk.simulator.far_end import FarEndFactory
from kiosk.simulator.far_end_video import FarEndVideo
from kiosk.simulator.rooms import RoomConfig, load_demo_rooms
from kiosk.simulator.server import Simulator, SimulatorError

START_TIMEOUT = 120.0  # the first start with meeting video encodes its clips
STOP_TIMEOUT = 1.5  # for the server and its peers
JOIN_TIMEOUT = 0.5  # for the loop's last tasks and the thread


class SimulatorThread:
    """Runs a Simulator in a background thread; start()/stop() or use it as a context manager."""

    def __init__(
        self,
        rooms: Sequence[RoomConfig] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = True,
        token_expires: float = 120.0,
        cert_dir: Path | None = None,
        far_end_video: FarEndVideo | None = None,
        far_ends: FarEndFactory | None = None,
    ) -> None:
        self.simulator = Simulator(
            load_demo_rooms() if rooms is None else rooms,
            host=host,
            port=port,
            tls=tls,
            token_expires=token_expires,
            cert_dir=cert_dir,
            far_end_video=far_end_video,
            far_ends=far_ends,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._control: SimulatorControl | None = None
        self._url: str | None = None

    # ------------------------------------------------------------- lifecycle

    def start(self) -> SimulatorThread:
        """Start the thread and wait until the server listens; SimulatorError if it cannot."""
        if self._thread is not None:
            return self
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=self._run, args=(loop, ready), name="kiosk-simulator", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout=START_TIMEOUT)
        except concurrent.futures.TimeoutError:
            self.stop()
            raise SimulatorError(
                f"the simulator did not start within {START_TIMEOUT:g} s") from None
        except SimulatorError:
            self._join()
            raise
        except Exception as exc:
            self._join()
            raise SimulatorError(f"the simulator failed to start: {exc}") from exc
        self._url = self.simulator.url
        self._control = SimulatorControl(self._url, self.simulator.ca_bundle)
        return self

    def _run(self, loop: asyncio.AbstractEventLoop, ready: concurrent.futures.Future[None]) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.simulator.start())
        except BaseException as exc:  # reported to start() in the caller's thread
            ready.set_exception(exc)
            loop.close()
            return
        ready.set_result(None)
        try:
            loop.run_forever()
        finally:
            self._finish_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    @staticmethod
    def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
        """Cancel what is left on the loop and let it unwind (bounded)."""
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=JOIN_TIMEOUT))

    def stop(self) -> None:
        """Stop the server and its peers and end the thread (within about 2 s). Idempotent."""
        if self._control is not None:
            self._control.close()
            self._control = None
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive() and not loop.is_closed():
            future = asyncio.run_coroutine_threadsafe(self.simulator.stop(), loop)
            try:
                future.result(timeout=STOP_TIMEOUT)
            except Exception:  # stopping must never fail the caller
                future.cancel()
            loop.call_soon_threadsafe(loop.stop)
        self._join()

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=JOIN_TIMEOUT)
        self._thread = None
        self._loop = None

    def __enter__(self) -> SimulatorThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------- properties

    @property
    def control(self) -> SimulatorControl:
        """The client of its `/_sim/` control API (host joins, faults, room counters...)."""
        if self._control is None:
            raise RuntimeError("the simulator thread is not running")
        return self._control

    @property
    def url(self) -> str:
        """The node's base URL, e.g. `https://127.0.0.1:PORT`."""
        if self._url is None:
            raise RuntimeError("the simulator thread is not running")
        return self._url

    @property
    def ca_bundle(self) -> Path | None:
        """The CA certificate (PEM) to trust, or None without TLS."""
        return self.simulator.ca_bundle

    @property
    def token_expires(self) -> float:
        """The token lifetime it hands out, in seconds."""
        return self.simulator.node.token_expires
