"""`pexip-kiosk call` in a subprocess against the simulator: every demo room kind and every
exit code (0, 2, 3, 4, 5, 6, 7)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.simulator.background import SimulatorThread

REPO = Path(__file__).resolve().parent.parent


class CliRun:
    """The outcome of one `pexip-kiosk call`."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]

    @property
    def summary(self) -> dict[str, Any]:
        assert self.lines and self.lines[-1]["event"] == "summary", self.stdout + self.stderr
        return self.lines[-1]

    @property
    def states(self) -> list[str]:
        return [line["state"] for line in self.lines if line["event"] == "state"]


def cli_env(log_level: str = "WARNING") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
    env["KIOSK_LOG_LEVEL"] = log_level
    env["KIOSK_CAMERA_SIZE"] = "640x360"  # a small test picture; bench/ measures 1280x720
    return env


def empty_env_file(tmp_path: Path) -> str:
    """An env file without settings (one named with --env-file must exist)."""
    path = tmp_path / "empty.env"
    path.touch()
    return str(path)


def call_command(tmp_path: Path, *args: str) -> list[str]:
    # An empty env file: only the flags (and cli_env) configure the call.
    return [sys.executable, "-m", "kiosk.cli", "call", "--env-file", empty_env_file(tmp_path),
            *args]


def run_call(tmp_path: Path, *args: str, stdin: str = "", log_level: str = "WARNING",
             timeout: float = 30.0) -> CliRun:
    done = subprocess.run(call_command(tmp_path, *args), input=stdin, capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, env=cli_env(log_level))
    return CliRun(done.returncode, done.stdout, done.stderr)


def node_args(simulator: SimulatorThread) -> list[str]:
    return ["--node", simulator.url, "--ca-bundle", str(simulator.ca_bundle)]


@pytest.mark.parametrize(
    ("alias", "extra", "pin", "states", "role"),
    [
        ("meet.open", [], None, ["CONNECTING", "CONNECTED"], "HOST"),
        ("meet.team", ["--guest"], None,
         ["CONNECTING", "PIN_OPTIONAL", "CONNECTING", "WAITING_FOR_HOST"], "GUEST"),
        ("meet.team", ["--pin-stdin"], "1234",
         ["CONNECTING", "PIN_OPTIONAL", "CONNECTING", "CONNECTED"], "HOST"),
        ("meet.board", ["--pin-stdin"], "1357#",
         ["CONNECTING", "PIN_REQUIRED", "CONNECTING", "WAITING_FOR_HOST"], "GUEST"),
        ("meet.lobby", ["--guest"], None,
         ["CONNECTING", "PIN_OPTIONAL", "CONNECTING", "CONNECTED"], "GUEST"),
        ("reception", ["--extension", "1003", "--pin-stdin"], "2468",
         ["CONNECTING", "EXTENSION_REQUIRED", "PIN_REQUIRED", "CONNECTING", "CONNECTED"], "HOST"),
    ],
)
def test_every_demo_room_kind_joins_and_leaves(
    simulator: SimulatorThread, tmp_path: Path, alias: str, extra: list[str], pin: str | None,
    states: list[str], role: str,
) -> None:
    result = run_call(tmp_path, *node_args(simulator), "--alias", alias, "--seconds", "0.3",
                      "--no-media", *extra, stdin=f"{pin}\n" if pin else "",
                      log_level="DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.summary
    assert summary["states"] == [*states, "DISCONNECTING", "IDLE"]
    assert summary["role"] == role
    assert summary["error"] is None
    assert summary["timings"]["token_s"] < summary["timings"]["total_s"]
    assert summary["media"] == {"mode": "off"}
    if pin:
        # Logged at DEBUG, yet the PIN shows up nowhere.
        assert pin.rstrip("#") not in result.stdout + result.stderr
    room = simulator.control.room("meet.board" if alias == "reception" else alias)
    assert all(p["simulated"] for p in room["participants"])  # the room left


def test_open_room_summary_has_timings_and_count(simulator: SimulatorThread,
                                                 tmp_path: Path) -> None:
    result = run_call(tmp_path, *node_args(simulator), "--alias", "meet.open",
                      "--display-name", "Room 4.12", "--seconds", "0.5", "--no-media")
    assert result.returncode == 0
    summary = result.summary
    assert summary["participant_count"] == 1
    assert summary["conference_name"] == "Open meeting"
    # Plausible, not fast (bench/join_latency.py measures speed): leave keeps its 5 s bound.
    assert 0 < summary["timings"]["token_s"] <= summary["timings"]["connected_s"] < 10.0
    assert 0 <= summary["timings"]["leave_s"] < 5.0
    assert summary["token_refreshes"] == 0
    assert simulator.control.room("meet.open")["departed"][-1]["display_name"] == "Room 4.12"
    first = result.lines[0]
    assert first == {"event": "state", "t": first["t"], "state": "CONNECTING",
                     "alias": "meet.open", "conference_name": "", "role": "",
                     "participant_count": 0, "notice": ""}


def test_media_call_summary(simulator: SimulatorThread, tmp_path: Path) -> None:
    result = run_call(tmp_path, *node_args(simulator), "--alias", "meet.open", "--seconds", "1.5",
                      "--camera", "test", "--microphone", "test", "--speaker", "test")
    assert result.returncode == 0, result.stdout + result.stderr
    media = result.summary["media"]
    assert media["mode"] == "on"
    assert media["frames_sent"] > 10 and media["frames_received"] > 10
    assert media["codec"] in ("VP8", "H264")
    assert media["camera"] == "active"
    assert 0 < media["token_to_first_remote_frame_s"] < 5


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_exit_2_usage_and_configuration_errors(simulator: SimulatorThread,
                                               tmp_path: Path) -> None:
    no_node = run_call(tmp_path, "--alias", "meet.open", "--no-media")
    assert no_node.returncode == 2
    assert no_node.stderr.strip() == (
        "pexip-kiosk call: PEXIP_NODE: is not set (give --node or set PEXIP_NODE)")
    bad_node = run_call(tmp_path, "--node", "htp:/x", "--alias", "meet.open")
    assert bad_node.returncode == 2
    assert bad_node.stderr.strip() == "pexip-kiosk call: --node: 'htp:/x' is not an https URL"
    no_alias = run_call(tmp_path, *node_args(simulator), "--no-media")
    assert no_alias.returncode == 2 and "--alias" in no_alias.stderr
    missing_ca = run_call(tmp_path, "--node", simulator.url, "--ca-bundle",
                          str(tmp_path / "nope.pem"), "--alias", "meet.open")
    assert missing_ca.returncode == 2 and "--ca-bundle" in missing_ca.stderr
    reception = run_call(tmp_path, *node_args(simulator), "--alias", "reception", "--no-media")
    assert reception.returncode == 2
    assert "--extension" in reception.summary["problem"]
    assert run_call(tmp_path, "--seconds", "-1").returncode == 2
    assert run_call(tmp_path, "--pin-stdin", "--guest").returncode == 2
    broken_env = tmp_path / "broken.env"
    broken_env.write_text("PEXIP_NODE https://x\n")
    broken = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "call", "--env-file", str(broken_env)],
        capture_output=True, text=True, cwd=REPO, env=cli_env(), timeout=30)
    assert broken.returncode == 2
    assert broken.stderr.strip().endswith("broken.env: line 1 is not KEY=value")


def test_exit_3_pin_missing_or_wrong(simulator: SimulatorThread, tmp_path: Path) -> None:
    missing = run_call(tmp_path, *node_args(simulator), "--alias", "meet.board", "--no-media")
    assert missing.returncode == 3
    assert missing.states == ["CONNECTING", "PIN_REQUIRED", "IDLE"]
    wrong = run_call(tmp_path, *node_args(simulator), "--alias", "meet.board", "--no-media",
                     "--pin-stdin", stdin="9999\n")
    assert wrong.returncode == 3
    assert wrong.summary["problem"] == "Incorrect PIN — try again"
    assert wrong.stderr == "pexip-kiosk call: Incorrect PIN — try again\n"
    assert "9999" not in wrong.stdout + wrong.stderr
    host_pin_choice = run_call(tmp_path, *node_args(simulator), "--alias", "meet.team",
                               "--no-media")
    assert host_pin_choice.returncode == 3
    assert simulator.control.room("meet.board")["participants"] == []


def test_exit_4_meeting_not_found(simulator: SimulatorThread, tmp_path: Path) -> None:
    unknown = run_call(tmp_path, *node_args(simulator), "--alias", "meet.nowhere", "--no-media")
    assert unknown.returncode == 4
    assert unknown.stderr == (
        "pexip-kiosk call: This meeting could not be found. Check the meeting ID.\n")
    assert unknown.summary["error"] == {
        "code": "conference_not_found",
        "message": "This meeting could not be found. Check the meeting ID."}
    wrong_number = run_call(tmp_path, *node_args(simulator), "--alias", "reception",
                            "--extension", "4242", "--no-media")
    assert wrong_number.returncode == 4


def test_exit_5_node_unreachable_or_untrusted(simulator: SimulatorThread,
                                              tmp_path: Path) -> None:
    down = run_call(tmp_path, "--node", f"https://127.0.0.1:{closed_port()}",
                    "--alias", "meet.open", "--no-media")
    assert down.returncode == 5
    assert down.summary["error"]["code"] == "node_unreachable"
    # One clear line on stderr (logs are at WARNING here).
    assert down.stderr == (
        "pexip-kiosk call: Can't reach the meeting service. Check the network.\n")
    untrusted = run_call(tmp_path, "--node", simulator.url, "--alias", "meet.open", "--no-media")
    assert untrusted.returncode == 5
    assert untrusted.summary["error"] == {
        "code": "tls_failure", "message": "The meeting service's certificate is not trusted."}
    assert "Traceback" not in down.stderr + untrusted.stderr


def test_exit_6_media_failed(simulator: SimulatorThread, tmp_path: Path) -> None:
    simulator.control.inject_fault("/calls", status=500)
    result = run_call(tmp_path, *node_args(simulator), "--alias", "meet.open",
                      "--camera", "test", "--microphone", "test", "--speaker", "test")
    assert result.returncode == 6, result.stdout + result.stderr
    assert result.summary["error"]["code"] == "media_failed"
    assert simulator.control.room("meet.open")["participants"] == []


def test_exit_6_when_the_media_libraries_are_missing(tmp_path: Path) -> None:
    """A build without aiortc says so in one line before dialling (no traceback)."""
    blocked = ("import sys; sys.modules['aiortc'] = None; from kiosk.cli import main; "
               "sys.exit(main(sys.argv[1:]))")
    args = ["call", "--env-file", empty_env_file(tmp_path),
            "--node", f"https://127.0.0.1:{closed_port()}", "--alias", "meet.open"]
    done = subprocess.run([sys.executable, "-c", blocked, *args], capture_output=True,
                          text=True, timeout=30, cwd=REPO, env=cli_env())
    assert done.returncode == 6
    assert done.stdout == ""
    assert done.stderr.startswith("pexip-kiosk call: media is not available (")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def read_until_connected(process: subprocess.Popen) -> list[dict[str, Any]]:
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(json.loads(line))
        if lines[-1].get("state") == "CONNECTED":
            return lines
    pytest.fail(f"never connected: {lines}")


def test_exit_130_interrupted_still_leaves(simulator: SimulatorThread, tmp_path: Path) -> None:
    command = call_command(tmp_path, *node_args(simulator), "--alias", "meet.open",
                           "--seconds", "30", "--no-media")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=REPO, env=cli_env()) as process:
        read_until_connected(process)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert stderr == "pexip-kiosk call: interrupted\n"
    summary = json.loads(stdout.splitlines()[-1])
    assert summary["states"][-2:] == ["DISCONNECTING", "IDLE"]
    room = simulator.control.room("meet.open")
    assert room["participants"] == [] and room["departed"][-1]["reason"] == "Released token"


def test_exit_7_disconnected_by_the_node(simulator: SimulatorThread, tmp_path: Path) -> None:
    command = call_command(tmp_path, *node_args(simulator), "--alias", "meet.open",
                           "--seconds", "30", "--no-media")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=REPO, env=cli_env()) as process:
        read_until_connected(process)
        # Wait for the event stream too, so the `disconnect` event (not only the revoked
        # token) reaches the room.
        deadline = time.monotonic() + 5
        while not any(
            p["event_streams"] for p in simulator.control.room("meet.open")["participants"]
        ):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        ended_at = time.monotonic()
        simulator.control.end_meeting("meet.open", "Conference terminated by a host")
        stdout, _ = process.communicate(timeout=20)
        # Well before the 30 s stay: the node's `disconnect` ended the call.
        assert time.monotonic() - ended_at < 15
    assert process.returncode == 7
    summary = json.loads(stdout.splitlines()[-1])
    assert summary["error"] == {"code": "disconnected_by_node",
                                "message": "The meeting has ended."}
