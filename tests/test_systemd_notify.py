"""SystemdNotifier against a fake notify socket: a real AF_UNIX datagram socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import __version__
from kiosk.systemd_notify import SystemdNotifier

REPO = Path(__file__).resolve().parent.parent


class FakeNotifySocket:
    """What systemd does for Type=notify: a bound datagram socket that reads messages."""

    def __init__(self, address: str | bytes) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(2.0)

    def receive(self) -> dict[str, str]:
        """The next datagram as KEY=value pairs."""
        data = self.sock.recv(4096).decode()
        return dict(line.split("=", 1) for line in data.split("\n"))

    def wait_for(self, key: str, timeout: float) -> dict[str, str]:
        """The first datagram carrying `key` within `timeout` seconds (others are skipped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.receive()
            except TimeoutError:
                continue
            if key in message:
                return message
        raise AssertionError(f"no {key}= within {timeout:.0f} s")

    def pending(self) -> bool:
        """True when a datagram is waiting (without blocking)."""
        self.sock.setblocking(False)
        try:
            self.sock.recv(4096, socket.MSG_PEEK)
        except BlockingIOError:
            return False
        finally:
            self.sock.settimeout(2.0)
        return True


@pytest.fixture
def path_socket() -> Iterator[tuple[FakeNotifySocket, str]]:
    # A short directory: AF_UNIX paths are limited to 107 bytes.
    directory = Path(tempfile.mkdtemp(prefix="notify-"))
    path = directory / "notify.sock"
    fake = FakeNotifySocket(str(path))
    yield fake, str(path)
    fake.sock.close()
    path.unlink(missing_ok=True)
    directory.rmdir()


@pytest.fixture
def abstract_socket() -> Iterator[tuple[FakeNotifySocket, str]]:
    name = f"pexip-kiosk-test-{uuid.uuid4().hex}"
    fake = FakeNotifySocket(b"\0" + name.encode())
    yield fake, "@" + name
    fake.sock.close()


def test_ready_status_watchdog_and_stopping_reach_the_socket(path_socket) -> None:
    fake, path = path_socket
    notifier = SystemdNotifier({"NOTIFY_SOCKET": path})
    assert notifier.enabled

    assert notifier.ready("Home screen shown")
    assert fake.receive() == {"READY": "1", "STATUS": "Home screen shown"}
    assert notifier.watchdog_ping()
    assert fake.receive() == {"WATCHDOG": "1"}
    assert notifier.status("In a call:\nBoard meeting")
    assert fake.receive() == {"STATUS": "In a call: Board meeting"}
    assert notifier.stopping()
    assert fake.receive() == {"STOPPING": "1"}
    notifier.close()


def test_abstract_namespace_socket(abstract_socket) -> None:
    fake, name = abstract_socket
    notifier = SystemdNotifier({"NOTIFY_SOCKET": name})
    assert notifier.watchdog_ping()
    assert fake.receive() == {"WATCHDOG": "1"}
    notifier.close()


def test_watchdog_interval_is_half_of_watchdog_usec(path_socket) -> None:
    _, path = path_socket
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"}
    assert SystemdNotifier(env).watchdog_interval() == 15.0
    env_for_us = {**env, "WATCHDOG_PID": str(os.getpid())}
    assert SystemdNotifier(env_for_us).watchdog_interval() == 15.0
    # The watchdog belongs to another process (we inherited its environment).
    assert SystemdNotifier({**env, "WATCHDOG_PID": "1"}).watchdog_interval() is None
    assert SystemdNotifier({"NOTIFY_SOCKET": path}).watchdog_interval() is None
    assert SystemdNotifier({**env, "WATCHDOG_USEC": "soon"}).watchdog_interval() is None


def test_no_notify_socket_means_no_op() -> None:
    notifier = SystemdNotifier({"WATCHDOG_USEC": "30000000"})
    assert not notifier.enabled
    assert notifier.watchdog_interval() is None
    assert not notifier.ready()
    assert not notifier.watchdog_ping()
    assert not notifier.status("x")
    assert not notifier.stopping()


def test_reads_the_process_environment_by_default(path_socket, monkeypatch) -> None:
    fake, path = path_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    notifier = SystemdNotifier()
    assert notifier.watchdog_interval() == 2.0
    assert notifier.ready()
    assert fake.receive() == {"READY": "1"}
    notifier.close()


def test_a_vanished_socket_is_logged_once_and_never_raises(path_socket, caplog) -> None:
    fake, path = path_socket
    notifier = SystemdNotifier({"NOTIFY_SOCKET": path})
    fake.sock.close()
    os.unlink(path)
    with caplog.at_level("WARNING", logger="kiosk.systemd_notify"):
        assert not notifier.watchdog_ping()
        assert not notifier.watchdog_ping()
    assert len([r for r in caplog.records if "Cannot notify systemd" in r.message]) == 1
    # systemd comes back (a new socket at the same path): pings flow again.
    again = FakeNotifySocket(path)
    try:
        assert notifier.watchdog_ping()
        assert again.receive() == {"WATCHDOG": "1"}
        assert not again.pending()
    finally:
        again.sock.close()
        notifier.close()


def test_a_value_that_is_not_a_socket_turns_notifications_off(caplog) -> None:
    with caplog.at_level("WARNING", logger="kiosk.systemd_notify"):
        notifier = SystemdNotifier({"NOTIFY_SOCKET": "relative/path"})
    assert not notifier.enabled
    assert not notifier.ready()
    assert "not a socket path" in caplog.text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_when_listening(url: str, timeout: float) -> Any:
    """The JSON at `url`, retrying while nothing listens there yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=15) as reply:
                return json.load(reply)
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_kiosk_app_is_ready_pings_the_watchdog_and_serves_health(
    path_socket, tmp_path: Path
) -> None:
    """`pexip-kiosk run` as the unit runs it (offscreen here): the launcher's wiring.

    READY=1 once the home screen is up, WATCHDOG=1 from the Kivy clock every
    WATCHDOG_USEC/2, and /healthz on KIOSK_HEALTH_ADDR (started right after Home).
    """
    fake, path = path_socket
    health_port = free_port()
    env_file = tmp_path / "kiosk.env"
    env_file.write_text(
        f"PEXIP_NODE=https://127.0.0.1:{free_port()}\n"  # nothing listens: node unreachable
        "PEXIP_CONFERENCE=meet.open\nPEXIP_DISPLAY_NAME=Test room\n"
        "KIOSK_FULLSCREEN=false\nKIOSK_BACKLIGHT=none\nKIOSK_IDLE_SECONDS=0\n"
        f"KIOSK_HEALTH_ADDR=127.0.0.1:{health_port}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
    env.update(NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")  # a ping every 0.5 s
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "run", "--env-file", str(env_file)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        ready = fake.wait_for("READY", timeout=60)  # Kivy's start on a loaded machine
        assert ready["READY"] == "1"
        for _ in range(2):
            assert fake.wait_for("WATCHDOG", timeout=15)["WATCHDOG"] == "1"
        url = f"http://127.0.0.1:{health_port}/healthz"
        report = fetch_when_listening(url, timeout=30)  # it starts just after Home
        assert report["version"] == __version__
        assert report["state"] == "IDLE"
        assert report["node"]["reachable"] is False
        assert process.poll() is None
        # `systemctl stop`: SIGTERM ends the app cleanly, saying STOPPING=1 first.
        process.send_signal(signal.SIGTERM)
        assert fake.wait_for("STOPPING", timeout=15)["STOPPING"] == "1"
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        _, stderr = process.communicate(timeout=30)
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")[-2000:]
