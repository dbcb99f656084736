"""`SimulatorProcess`: the simulator run as a child process (`python -m kiosk.simulator.main`).

A separate process keeps the simulator's CPU (its WebRTC far end encodes and
decodes video) out of the measurements of the process that uses it: the demo
app and the benchmarks. The child prints one JSON `ready` line with its URL and
CA file; `control` then drives it over loopback HTTPS like any test would. The
child gets SIGTERM when its parent dies, so no simulator is ever left behind.
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

import kiosk
from kiosk.simulator.control_client import SimulatorControl

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
# A loaded 2-core machine imports aiortc slowly; the first meeting video encodes its clips.
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 5.0
# The directory that holds the `kiosk` package this process runs: the child runs the same code.
PACKAGE_ROOT = Path(kiosk.__file__).resolve().parent.parent


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the parent dies, so no simulator is ever left behind."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the parent's own stop() still ends the child


class SimulatorProcessError(RuntimeError):
    """The simulator process could not be started."""


class SimulatorProcess:
    """The simulator with the demo rooms in a child process; start()/stop() or a context manager."""

    def __init__(self, token_expires: float = 120.0, far_end_video: str = "pattern",
                 clip_dir: Path | None = None, port: int = 0, tls: bool = True) -> None:
        """`far_end_video`: `pexip-kiosk sim --far-end-video` (pattern, meeting, ...).

        `port`: 0 picks a free one; a node "coming back" after `kill()` is started on the
        port the first one got (without TLS: a new process has a new throw-away CA).
        """
        self._args: tuple[str, ...] = ("--port", str(port), "--token-expires",
                                       str(token_expires), "--far-end-video", far_end_video)
        if not tls:
            self._args += ("--no-tls",)
        if clip_dir is not None:
            self._args += ("--clip-dir", str(clip_dir))
        self._process: subprocess.Popen[str] | None = None
        self._control: SimulatorControl | None = None
        self.url = ""
        self.ca_bundle: Path | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def control(self) -> SimulatorControl:
        """The client of its `/_sim/` control API (host joins, faults, room counters...)."""
        if self._control is None:
            raise RuntimeError("the simulator process is not running")
        return self._control

    def start(self) -> SimulatorProcess:
        """Start the child and wait for its ready line; SimulatorProcessError if none comes."""
        if self._process is not None:
            return self
        pythonpath = [str(PACKAGE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath), "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.simulator.main", *self._args],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            preexec_fn=_die_with_parent,
        )
        ready = self._read_ready()
        self.url = str(ready["url"])
        self.ca_bundle = Path(ready["ca_bundle"]) if ready.get("ca_bundle") else None
        self._control = SimulatorControl(self.url, self.ca_bundle)
        log.info("Simulator ready at %s (pid %s)", self.url, self._process.pid)
        return self

    def _read_ready(self) -> dict[str, Any]:
        process = self._process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + READY_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                line = process.stdout.readline()
                if not line:
                    self.stop()
                    raise SimulatorProcessError(
                        f"the simulator exited with code {process.returncode} before it was ready"
                    )
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict) and message.get("event") == "ready":
                    return message
        self.stop()
        raise SimulatorProcessError(f"the simulator was not ready within {READY_TIMEOUT:g} s")

    def kill(self) -> None:
        """The node dies: SIGKILL, no goodbye to anyone (sockets reset by the kernel)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        self.stop()

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after a few seconds). Idempotent."""
        process, self._process = self._process, None
        control, self._control = self._control, None
        if control is not None:
            control.close()
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
