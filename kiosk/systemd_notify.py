"""Tell systemd the kiosk is ready and alive (sd_notify), or do nothing outside systemd.

The protocol is the documented one of sd_notify(3): newline-separated
``KEY=value`` assignments sent as one datagram to the AF_UNIX socket named in
``$NOTIFY_SOCKET`` (a leading ``@`` means Linux's abstract namespace). It is a
few lines, so this module speaks it directly rather than depending on the
`sdnotify` package (unmaintained since 2017, no watchdog support) or
`systemd-python` (a C extension that needs libsystemd headers to build).

The unit (`provisioning/pexip-kiosk.service`) is ``Type=notify`` with
``WatchdogSec=``: the UI calls `ready()` once the home screen is shown and
`watchdog_ping()` from the Kivy clock every `watchdog_interval()` seconds, so a
frozen UI loop stops pinging and systemd restarts the kiosk.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def _socket_address(name: str) -> str | bytes:
    """The sendto() address for a NOTIFY_SOCKET value ('@x' = abstract namespace)."""
    if name.startswith("@"):
        return b"\0" + name[1:].encode()
    return name


class SystemdNotifier:
    """Sends READY/WATCHDOG/STATUS/STOPPING notifications to the service manager.

    Every method is a no-op when ``NOTIFY_SOCKET`` is not set (not started by
    systemd, or started without ``Type=notify``), and a failed send is logged once
    and never raised: the kiosk must keep working even if systemd is gone.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        name = env.get("NOTIFY_SOCKET", "")
        self._address: str | bytes | None = None
        if name.startswith(("/", "@")) and len(name) > 1:
            self._address = _socket_address(name)
        elif name:
            log.warning("NOTIFY_SOCKET %r is not a socket path; systemd notifications are off",
                        name)
        self._watchdog_usec = self._parse_watchdog(env)
        self._socket: socket.socket | None = None
        self._send_failed = False

    @staticmethod
    def _parse_watchdog(env: Mapping[str, str]) -> int | None:
        # WATCHDOG_PID, when set, names the process that must ping; a child that
        # inherited the environment must not think the watchdog is its job.
        pid = env.get("WATCHDOG_PID", "")
        if pid and pid != str(os.getpid()):
            return None
        try:
            usec = int(env.get("WATCHDOG_USEC", ""))
        except ValueError:
            return None
        return usec if usec > 0 else None

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return self._address is not None

    def watchdog_interval(self) -> float | None:
        """Seconds between `watchdog_ping()` calls (half of WatchdogSec=), or None if off.

        sd_watchdog_enabled(3) recommends pinging at half the timeout so one late
        tick does not kill a healthy process.
        """
        if not self.enabled or self._watchdog_usec is None:
            return None
        return self._watchdog_usec / 2_000_000

    def ready(self, status: str | None = None) -> bool:
        """READY=1: start-up finished (the home screen is shown)."""
        return self._send("READY=1", status)

    def watchdog_ping(self) -> bool:
        """WATCHDOG=1: the UI loop is alive."""
        return self._send("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """STATUS=...: one line shown by `systemctl status` (never put a PIN here)."""
        return self._send(None, text)

    def stopping(self) -> bool:
        """STOPPING=1: the kiosk is shutting down on purpose."""
        return self._send("STOPPING=1")

    def close(self) -> None:
        """Close the datagram socket (it is reopened on the next send)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _send(self, assignment: str | None, status: str | None = None) -> bool:
        """Send one datagram; True when it was delivered to the socket."""
        if self._address is None:
            return False
        lines = [assignment] if assignment else []
        if status is not None:
            # A newline would start a new assignment: keep STATUS to one line.
            lines.append("STATUS=" + " ".join(status.split()))
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.sendto("\n".join(lines).encode(), self._address)
        except OSError as exc:
            if not self._send_failed:
                reason = exc.strerror or exc
                log.warning("Cannot notify systemd (%s); continuing without it", reason)
                self._send_failed = True
            self.close()
            return False
        self._send_failed = False
        return True
