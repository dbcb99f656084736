"""A `requests` transport adapter that can cut an exchange off at a total deadline.

While a `deadline(seconds)` scope is open in a thread, every connection that
thread uses registers its socket with the scope; when the deadline passes, a
timer shuts those sockets down, which wakes any read blocked on them (closing
a socket from another thread would not). The scope is per adapter and per
thread, so other threads sharing the session are never touched.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager


class DeadlineScope:
    """One bounded exchange: the sockets it uses are shut down when its time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    @property
    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self._expired

    def start(self) -> None:
        """Start counting."""
        self._timer.start()

    def cancel(self) -> None:
        """The exchange finished in time: stop the timer."""
        self._timer.cancel()

    def watch(self, sock: socket.socket | None) -> None:
        """Shut `sock` down at the deadline (at once when it has already passed)."""
        if sock is None:
            return
        with self._lock:
            if not self._expired:
                self._sockets.append(sock)
                return
        _shut_down(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _ScopeRegistry(threading.local):
    """The open scope of the current thread (one registry per adapter)."""

    scope: DeadlineScope | None = None


class _WatchedConnection:
    """Mixin for urllib3 connections: hand every new or reused socket to the open scope."""

    _registry: _ScopeRegistry

    def _watch(self, sock: Any) -> None:
        scope = self._registry.scope
        if scope is not None and isinstance(sock, socket.socket):
            scope.watch(sock)

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        self._watch(sock)  # before the TLS handshake, so a stalled handshake is cut too
        return sock

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self._watch(getattr(self, "sock", None))  # a kept-alive connection being reused
        return super().request(*args, **kwargs)  # type: ignore[misc]


class DeadlineAdapter(HTTPAdapter):
    """An `HTTPAdapter` whose exchanges can be bounded in total time (`deadline`).

    `socket_options` are applied to every connection (direct or through a proxy).
    """

    def __init__(self, *args: Any, socket_options: list[tuple[int, int, int]] | None = None,
                 **kwargs: Any) -> None:
        self._registry = _ScopeRegistry()
        self._socket_options = socket_options
        registry = self._registry
        http_conn = type("WatchedHTTPConnection", (_WatchedConnection, HTTPConnection),
                         {"_registry": registry})
        https_conn = type("WatchedHTTPSConnection", (_WatchedConnection, HTTPSConnection),
                          {"_registry": registry})
        self._pool_classes = {
            "http": type("WatchedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("WatchedHTTPSPool", (HTTPSConnectionPool,),
                          {"ConnectionCls": https_conn}),
        }
        super().__init__(*args, **kwargs)

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[DeadlineScope]:
        """Bound everything this thread sends through the adapter within the block."""
        scope = DeadlineScope(seconds)
        previous = self._registry.scope
        self._registry.scope = scope
        scope.start()
        try:
            yield scope
        finally:
            scope.cancel()
            self._registry.scope = previous

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """The pool manager, with watched connections and the socket options."""
        if self._socket_options is not None:
            pool_kwargs.setdefault("socket_options", self._socket_options)
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self._pool_classes)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        """A web proxy's pool manager, with watched connections and the socket options."""
        if self._socket_options is not None:
            proxy_kwargs.setdefault("socket_options", self._socket_options)
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(self._pool_classes)
        return manager
