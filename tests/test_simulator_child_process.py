"""`SimulatorProcess`: the simulator as a real child process, driven through `control`."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk.simulator.child_process import SimulatorProcess, SimulatorProcessError
from kiosk.simulator.control_client import SimulatorControlError

pytestmark = pytest.mark.timeout(60)

REPO = Path(__file__).resolve().parent.parent


def process_gone(pid: int, within: float) -> bool:
    """True once `pid` no longer runs (a zombie of another parent counts as gone)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


def test_runs_serves_and_is_driven_through_control() -> None:
    with SimulatorProcess() as simulator:
        pid = simulator.pid
        assert pid is not None and pid != os.getpid()
        assert simulator.ca_bundle is not None and simulator.ca_bundle.is_file()
        status = requests.get(
            simulator.url + "/api/client/v2/status", verify=str(simulator.ca_bundle), timeout=5
        )
        assert status.status_code == 200
        joined = simulator.control.host_joins("meet.team")
        roster = simulator.control.room("meet.team")["participants"]
        assert [p["uuid"] for p in roster] == [joined["participant_uuid"]]
        with pytest.raises(SimulatorControlError, match="404"):
            simulator.control.room("nowhere")
    assert simulator.pid is None
    assert process_gone(pid, within=1.0)
    with pytest.raises(RuntimeError, match="not running"):
        simulator.control  # noqa: B018


def test_a_child_that_exits_early_is_a_clear_error() -> None:
    simulator = SimulatorProcess(token_expires=-1)  # the child rejects its arguments
    with pytest.raises(SimulatorProcessError, match="exited with code 2 before it was ready"):
        simulator.start()
    assert simulator.pid is None


def test_the_child_dies_with_its_parent() -> None:
    parent = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            "from kiosk.simulator.child_process import SimulatorProcess\n"
            "simulator = SimulatorProcess().start()\n"
            "sys.stdout.write(f'{simulator.pid}\\n'); sys.stdout.flush()\n"
            "os._exit(0)  # no stop(): only the kernel's parent-death signal ends the child\n",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the child inherits it: no pipe it could hold open
        text=True,
        timeout=30,
        check=True,
    )
    child = int(parent.stdout.strip())
    gone = process_gone(child, within=10.0)
    if not gone:  # never leave a simulator behind, even when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    assert gone
