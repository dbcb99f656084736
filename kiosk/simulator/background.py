"""`SimulatorThread`: a `Simulator` on its own event loop in a daemon thread.

For blocking tests and the demo::

    with SimulatorThread() as sim:          # the packaged demo rooms
        requests.get(sim.url + "/api/client/v2/status", verify=str(sim.ca_bundle))
        sim.host_joins("meet.team")

The control helpers talk to the simulator through its `/_sim/` HTTP API.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import requests

from kiosk.simulator.rooms import RoomConfig, load_demo_rooms
from kiosk.simulator.server import Simulator, SimulatorError

START_TIMEOUT = 15.0
STOP_TIMEOUT = 1.5  # for the server and its peers
JOIN_TIMEOUT = 0.5  # for the loop's last tasks and the thread
CONTROL_TIMEOUT = 10.0


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
    ) -> None:
        self.simulator = Simulator(
            load_demo_rooms() if rooms is None else rooms,
            host=host,
            port=port,
            tls=tls,
            token_expires=token_expires,
            cert_dir=cert_dir,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._http: requests.Session | None = None
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
            raise SimulatorError("the simulator did not start within 15 s") from None
        except SimulatorError:
            self._join()
            raise
        except Exception as exc:
            self._join()
            raise SimulatorError(f"the simulator failed to start: {exc}") from exc
        self._url = self.simulator.url
        self._http = requests.Session()
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
        if self._http is not None:
            self._http.close()
            self._http = None
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

    # ------------------------------------------------------- control helpers

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if self._http is None:
            raise RuntimeError("the simulator thread is not running")
        # `verify` per request: a session's own `verify` loses to REQUESTS_CA_BUNDLE.
        response = self._http.request(
            method,
            f"{self.url}/_sim/{path}",
            json=body,
            timeout=CONTROL_TIMEOUT,
            verify=str(self.ca_bundle) if self.ca_bundle else True,
        )
        payload = response.json()
        if response.status_code != 200:
            raise RuntimeError(
                f"simulator control {path}: HTTP {response.status_code}: {payload.get('result')}"
            )
        return payload["result"]

    @staticmethod
    def _room_path(alias: str) -> str:
        return "rooms/" + quote(alias, safe="")

    def host_joins(self, alias: str, display_name: str = "Host") -> dict[str, Any]:
        """A simulated host joins the room; waiting guests are let in.

        Returns `{"participant_uuid": ..., "admitted": [uuids]}`."""
        return self._control(
            "POST", self._room_path(alias) + "/host", {"display_name": display_name}
        )

    def host_leaves(self, alias: str) -> dict[str, Any]:
        """The simulated host(s) leave. Returns `{"left": [uuids]}`."""
        return self._control("POST", self._room_path(alias) + "/host/leave")

    def end_meeting(self, alias: str, reason: str = "Conference terminated by a host") -> int:
        """Disconnect everyone in the room with `reason`; return how many."""
        result = self._control("POST", self._room_path(alias) + "/end", {"reason": reason})
        return int(result["disconnected"])

    def room(self, alias: str) -> dict[str, Any]:
        """The room's roster, DTMF, calls and media counters (see `GET /_sim/rooms/{alias}`)."""
        return self._control("GET", self._room_path(alias))

    def disconnect_call(
        self, alias: str, participant_uuid: str, reason: str = "Call disconnected by the simulator"
    ) -> list[str]:
        """End a participant's calls from the node side; return the call uuids ended."""
        path = f"{self._room_path(alias)}/participants/{quote(participant_uuid)}/call_disconnect"
        return self._control("POST", path, {"reason": reason})["calls"]

    def renegotiate(
        self, alias: str, participant_uuid: str, event: str = "new_offer"
    ) -> dict[str, str]:
        """The far end of the participant's live call sends a new offer as `event`
        (`new_offer` or `update_sdp`). Returns `{"call_uuid": ..., "event": ...}`."""
        path = f"{self._room_path(alias)}/participants/{quote(participant_uuid)}/renegotiate"
        return self._control("POST", path, {"event": event})

    def request_refresh(self, alias: str, participant_uuid: str) -> None:
        """Send the participant a `refresh_token` event."""
        self._control(
            "POST", f"{self._room_path(alias)}/participants/{quote(participant_uuid)}/refresh"
        )

    def disconnect_participant(
        self, alias: str, participant_uuid: str, reason: str = "Disconnected by a host"
    ) -> None:
        """Disconnect one participant with `reason` (a `disconnect` event)."""
        self._control(
            "POST",
            f"{self._room_path(alias)}/participants/{quote(participant_uuid)}/disconnect",
            {"reason": reason},
        )

    def inject_fault(
        self,
        path_contains: str,
        status: int | None = None,
        count: int = 1,
        delay: float = 0.0,
        drop_events: bool = False,
        body: Any = None,
        ice_blackhole: bool = False,
    ) -> dict[str, Any]:
        """Fail/delay the next `count` requests whose path contains `path_contains`, and/or
        cut the open event streams whose path contains it (`drop_events`), and/or answer
        a matching `calls` request from a far end whose ICE never responds (`ice_blackhole`)."""
        request: dict[str, Any] = {
            "path_contains": path_contains,
            "count": count,
            "delay": delay,
            "drop_events": drop_events,
            "ice_blackhole": ice_blackhole,
        }
        if status is not None:
            request["status"] = status
        if body is not None:
            request["body"] = body
        return self._control("POST", "faults", request)

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self._control("DELETE", "faults")
