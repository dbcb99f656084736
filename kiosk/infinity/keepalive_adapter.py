"""A `requests` transport adapter whose sockets use TCP keepalive.

The event stream has no read timeout (events may be minutes apart), so a peer
that vanished without closing the connection (power cut, cable pulled, NAT
entry dropped) is noticed by TCP keepalive probes only after about
10 + 5 x 3 = 25 seconds. That is the last line of defence: the session's node
watch (`kiosk.session.node_watch`) notices a silent, dead node within seconds.
"""

from __future__ import annotations

import socket
from typing import Any

from urllib3.connection import HTTPConnection

from kiosk.net.deadline_adapter import DeadlineAdapter

KEEPALIVE_IDLE_SECONDS = 10
KEEPALIVE_INTERVAL_SECONDS = 5
KEEPALIVE_PROBES = 3


def keepalive_socket_options() -> list[tuple[int, int, int]]:
    """urllib3 `socket_options`: the defaults (TCP_NODELAY) plus keepalive where available."""
    options: list[tuple[int, int, int]] = list(HTTPConnection.default_socket_options)
    options.append((socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1))
    # Linux names; macOS has TCP_KEEPALIVE instead of TCP_KEEPIDLE. Missing ones are skipped.
    for name, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE_SECONDS),
        ("TCP_KEEPALIVE", KEEPALIVE_IDLE_SECONDS),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL_SECONDS),
        ("TCP_KEEPCNT", KEEPALIVE_PROBES),
    ):
        if name == "TCP_KEEPALIVE" and hasattr(socket, "TCP_KEEPIDLE"):
            continue
        constant = getattr(socket, name, None)
        if constant is not None:
            options.append((socket.IPPROTO_TCP, constant, value))
    return options


class KeepaliveAdapter(DeadlineAdapter):
    """A `DeadlineAdapter` (exchanges bounded in total time) whose connections carry TCP
    keepalive options, direct connections and connections through a web proxy alike."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("socket_options", keepalive_socket_options())
        super().__init__(*args, **kwargs)
