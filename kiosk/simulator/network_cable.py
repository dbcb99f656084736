"""A TCP relay on loopback with a network cable that can be pulled and plugged back in.

For tests of a node that "stops answering" without refusing anything: the kiosk
talks to the relay's port, the relay to the node. `unplug()` is the cable
pulled: nothing more goes through in either direction and nothing is answered
(no RST, no FIN: bytes sent are held, as a network holds them while TCP
retransmits), new connections are left waiting in the listen queue (whose small
backlog then makes the kernel drop further SYNs, so connecting times out), and
nothing is refused. `plug_in()` lets everything through again: held bytes are
delivered, connections go on, new ones are accepted. Pure Python (threads),
so it needs no root, iptables or network namespace.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
from types import TracebackType

log = logging.getLogger(__name__)

BACKLOG = 1  # a full accept queue makes Linux drop SYNs: connecting then times out
POLL_SECONDS = 0.1
CHUNK = 65536


class NetworkCable:
    """Relays 127.0.0.1:`port` to `target_host`:`target_port` until `close()`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=BACKLOG)
        self._listener.settimeout(POLL_SECONDS)
        self.port: int = self._listener.getsockname()[1]
        self._plugged = threading.Event()
        self._plugged.set()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.connections = 0
        self._acceptor = threading.Thread(target=self._accept, name="cable-accept", daemon=True)
        self._acceptor.start()

    @property
    def plugged_in(self) -> bool:
        """True while traffic goes through."""
        return self._plugged.is_set()

    def unplug(self) -> None:
        """Pull the cable: from now on nothing goes through and nothing is answered."""
        self._plugged.clear()
        log.info("network cable pulled (port %d)", self.port)

    def plug_in(self) -> None:
        """Plug the cable back in: held traffic and waiting connections go through."""
        self._plugged.set()
        log.info("network cable plugged back in (port %d)", self.port)

    def close(self) -> None:
        """Stop relaying and close every connection."""
        self._closed.set()
        self._plugged.set()  # wake the pumps so they see `closed`
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
        self._acceptor.join(timeout=2)

    def __enter__(self) -> NetworkCable:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------ relaying

    def _accept(self) -> None:
        while not self._closed.is_set():
            if not self._plugged.wait(POLL_SECONDS):
                continue  # unplugged: connections wait in the listen queue, unanswered
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()  # the node itself is down: as a router would, give up
                continue
            # Blocking sockets: reads wait in select() (below), writes as long as they must.
            client.settimeout(None)
            server.settimeout(None)
            self.connections += 1
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True,
                                 name="cable-pump").start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while not self._closed.is_set():
                if not self._plugged.wait(POLL_SECONDS):
                    continue  # unplugged: leave the bytes where they are
                readable, _, _ = select.select([source], [], [], POLL_SECONDS)
                if not readable:
                    continue
                data = source.recv(CHUNK)
                if not data:
                    break
                # Received just before the cable was pulled: held until it is back.
                while not self._plugged.wait(POLL_SECONDS):
                    if self._closed.is_set():
                        return
                sink.sendall(data)
        except (OSError, ValueError):  # ValueError: select() on a socket close() closed
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
