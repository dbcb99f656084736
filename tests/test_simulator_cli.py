"""`pexip-kiosk sim` as a process (python -m kiosk.simulator.main), and the rooms file."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.rooms import (
    PinRule,
    RoomsFileError,
    demo_rooms_path,
    load_demo_rooms,
    load_rooms,
    parse_rooms,
)
from kiosk.simulator.server import SimulatorError

pytestmark = pytest.mark.timeout(60)

REPO = Path(__file__).resolve().parent.parent


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.simulator.main", *args],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def sim_process() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def _ready_line(process: subprocess.Popen[str]) -> dict:
    assert process.stdout is not None
    line = process.stdout.readline()  # bounded by the test timeout
    assert line, f"no ready line; stderr: {process.stderr.read() if process.stderr else ''}"
    return json.loads(line)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sim_prints_ready_serves_https_and_exits_cleanly_on_signal(
    sim_process: list, sig: signal.Signals
) -> None:
    process = _start("--port", "0", "--token-expires", "30")
    sim_process.append(process)
    ready = _ready_line(process)
    assert ready["event"] == "ready"
    assert ready["url"].startswith("https://127.0.0.1:")
    ca_bundle = Path(ready["ca_bundle"])
    assert ca_bundle.is_file()
    http = requests.Session()
    http.trust_env = False
    response = http.post(
        ready["url"] + "/api/client/v2/conferences/meet.open/request_token",
        json={"display_name": "CLI test"},
        verify=str(ca_bundle),
        timeout=5,
    )
    assert response.status_code == 200
    assert response.json()["result"]["expires"] == "30"
    http.close()
    process.send_signal(sig)
    assert process.wait(timeout=5) == 0
    assert not ca_bundle.exists(), "the throw-away CA is removed on exit"


def test_sim_without_tls_serves_plain_http(sim_process: list) -> None:
    process = _start("--no-tls")
    sim_process.append(process)
    ready = _ready_line(process)
    assert ready["url"].startswith("http://127.0.0.1:") and ready["ca_bundle"] is None
    response = requests.get(ready["url"] + "/api/client/v2/status", timeout=5)
    assert response.status_code == 200
    process.terminate()
    assert process.wait(timeout=5) == 0


def test_sim_uses_the_given_rooms_file(sim_process: list, tmp_path: Path) -> None:
    rooms = tmp_path / "rooms.toml"
    rooms.write_text('[[room]]\nalias = "only.room"\nname = "The only room"\n')
    process = _start("--rooms", str(rooms), "--cert-dir", str(tmp_path / "certs"))
    sim_process.append(process)
    ready = _ready_line(process)
    assert Path(ready["ca_bundle"]).parent == tmp_path / "certs"
    http = requests.Session()
    http.trust_env = False
    url = ready["url"] + "/api/client/v2/conferences/"
    verify = ready["ca_bundle"]
    ok = http.post(url + "only.room/request_token", json={"display_name": "K"}, verify=verify)
    assert ok.json()["result"]["conference_name"] == "The only room"
    missing = http.post(url + "meet.open/request_token", json={"display_name": "K"}, verify=verify)
    assert missing.status_code == 404
    http.close()
    process.terminate()
    assert process.wait(timeout=5) == 0


def test_bad_rooms_file_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    rooms = tmp_path / "rooms.toml"
    rooms.write_text('[[room]]\nalias = "x"\nhost_pin = 1234\n')
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.simulator.main", "--rooms", str(rooms)],
        cwd=REPO, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "host_pin" in lines[0] and "1234" not in lines[0]


def test_missing_rooms_file_and_bad_options_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.simulator.main", "--rooms", str(tmp_path / "none.toml")],
        cwd=REPO, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.simulator.main", "--token-expires", "soon"],
        cwd=REPO, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 2 and "soon" in done.stderr


def test_port_in_use_is_a_clear_error(sim_process: list) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.simulator.main", "--port", str(port)],
            cwd=REPO, capture_output=True, text=True, timeout=30,
        )
        assert done.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
        with pytest.raises(SimulatorError, match="cannot listen"):
            SimulatorThread(port=port).start()


# ------------------------------------------------------------------ rooms file


def test_demo_rooms_match_the_brief_and_are_the_repository_assets() -> None:
    assert demo_rooms_path().read_bytes() == (REPO / "assets" / "demo_rooms.toml").read_bytes()
    rooms = {room.alias: room for room in load_demo_rooms()}
    assert list(rooms) == ["meet.open", "meet.team", "meet.board", "meet.lobby", "reception"]
    assert rooms["meet.open"].pin_rule is PinRule.NONE
    assert rooms["meet.team"].pin_rule is PinRule.HOST_ONLY
    assert rooms["meet.board"].pin_rule is PinRule.EVERYONE
    assert rooms["meet.lobby"].hosts_present and rooms["meet.lobby"].pin_rule is PinRule.HOST_ONLY
    assert rooms["reception"].virtual_reception
    assert [rooms[a].extension for a in ("meet.open", "meet.team", "meet.board", "meet.lobby")] \
        == ["1001", "1002", "1003", "1004"]
    assert "1234" not in repr(rooms["meet.team"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("title = 'x'", "no [[room]] tables"),
        ('[[room]]\nname = "x"', "'alias' must be a non-empty string"),
        ('[[room]]\nalias = "a"\npin = "1"', "unknown key 'pin'"),
        ('[[room]]\nalias = "a"\nguest_pin = "1"', "needs a 'host_pin'"),
        ('[[room]]\nalias = "a"\nhost_pin = "12a"', "string of 1 to 20 digits"),
        ('[[room]]\nalias = "a"\nallow_guests = "yes"', "true or false"),
        ('[[room]]\nalias = "a"\nextension = "x1"', "'extension' must be a number"),
        ('[[room]]\nalias = "a"\n[[room]]\nalias = "A"', "used twice"),
        ('[[room]]\nalias = "r"\nvirtual_reception = true\nhost_pin = "1"', "virtual reception"),
        ('[[room]]\nalias = "a"\nhost_wait_timeout = 0', "positive number of seconds"),
        ('[[room]]\nalias = "a"\nhost_wait_timeout = "5"', "positive number of seconds"),
        ('[[room]]\nalias = "r"\nvirtual_reception = true\nextension_prompt = "x"', "one of"),
        ('[[room]]\nalias = "a"\nextension_prompt = "required"', "needs virtual_reception"),
    ],
)
def test_bad_rooms_are_refused_with_a_clear_line(text: str, message: str) -> None:
    with pytest.raises(RoomsFileError) as caught:
        parse_rooms(text, source="rooms.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("rooms file rooms.toml: ")
    assert "\n" not in str(caught.value)


def test_extension_may_be_an_integer(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text('[[room]]\nalias = "a"\nextension = 77\n')
    assert load_rooms(path)[0].extension == "77"
