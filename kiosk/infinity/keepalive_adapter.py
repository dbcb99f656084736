"""A `requests` transport adapter whose sockets use TCP keepalive.

The event stream has no read timeout (events may be minutes apart), so a peer
that vanished without closing the connection (power cut, cable pulled, NAT
entry dropped) is only noticed through TCP keepalive probes: with the values
below a dead connection fails after about 10 + 5 x 3 = 25 seconds.
"""

from __future__ import annotations

import socket
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.poolmanager import PoolManager

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


class KeepaliveAdapter(HTTPAdapter):
    """An `HTTPAdapter` (no retries) whose connections carry TCP keepalive options.

    Direct connections and connections through a web proxy alike.
    """

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """Create the pool manager with keepalive `socket_options` on every connection."""
        pool_kwargs.setdefault("socket_options", keepalive_socket_options())
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        """The web proxy's pool manager, with the same keepalive `socket_options`."""
        proxy_kwargs.setdefault("socket_options", keepalive_socket_options())
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        return manager
