"""The demo's simulated Pexip node, run as a child process.

A separate process keeps the simulator's CPU (its WebRTC far end encodes and
decodes video) out of the kiosk app's own measurements. It prints one JSON
`ready` line with its URL and CA file; the demo then talks to its `/_sim/`
control API over loopback HTTPS like any test would.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
CONTROL_TIMEOUT = 10.0


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the demo dies, so no simulator is ever left behind."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the demo's own stop() still ends the child


class SimulatorProcessError(RuntimeError):
    """The simulator process could not be started or controlled."""


class SimulatorProcess:
    """`python -m kiosk.simulator.main` with the demo rooms; a context manager."""

    def __init__(self, extra_args: tuple[str, ...] = (), token_expires: float = 120.0) -> None:
        self._args = ("--port", "0", "--token-expires", str(token_expires), *extra_args)
        self._process: subprocess.Popen[str] | None = None
        self.url = ""
        self.ca_bundle: Path | None = None
        self._http = requests.Session()

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> SimulatorProcess:
        """Start the child and wait for its ready line."""
        command = [sys.executable, "-m", "kiosk.simulator.main", *self._args]
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            preexec_fn=_die_with_parent,
        )
        ready = self._read_ready()
        self.url = str(ready["url"])
        self.ca_bundle = Path(ready["ca_bundle"]) if ready.get("ca_bundle") else None
        log.info("Simulator ready at %s (pid %s)", self.url, self._process.pid)
        return self

    def _read_ready(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + READY_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                line = self._process.stdout.readline()
                if not line:
                    break
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict) and message.get("event") == "ready":
                    return message
        self.stop()
        raise SimulatorProcessError("the simulator did not start (no ready line)")

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after a few seconds)."""
        process, self._process = self._process, None
        self._http.close()
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ control API

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(
            method,
            f"{self.url}/_sim/{path}",
            json=body,
            timeout=CONTROL_TIMEOUT,
            verify=str(self.ca_bundle) if self.ca_bundle else True,
        )
        if response.status_code != 200:
            raise SimulatorProcessError(f"simulator control {path}: HTTP {response.status_code}")
        return response.json().get("result")

    def host_joins(self, alias: str) -> Any:
        """A simulated host joins `alias`: waiting guests are let in."""
        path = f"rooms/{quote(alias, safe='')}/host"
        return self._control("POST", path, {"display_name": "Host"})

    def room(self, alias: str) -> Any:
        """The room's roster, DTMF and media counters."""
        return self._control("GET", f"rooms/{quote(alias, safe='')}")

    def delay_requests(self, path_contains: str, seconds: float, count: int = 1) -> Any:
        """Delay the next `count` requests whose path contains `path_contains`."""
        body = {"path_contains": path_contains, "delay": seconds, "count": count}
        return self._control("POST", "faults", body)
