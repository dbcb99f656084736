"""Test helper: a real DNS server on 127.0.0.1 (dnslib), answering from zone-file lines."""

from __future__ import annotations

import threading
from types import TracebackType

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSServer


class _ZoneResolver(BaseResolver):
    def __init__(self, zone: str) -> None:
        self.records = RR.fromZone(zone)
        self.queries: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        qname, qtype = request.q.qname, QTYPE[request.q.qtype]
        with self._lock:
            self.queries.append((str(qname).rstrip(".").lower(), qtype))
        matches = [rr for rr in self.records if rr.rname == qname]
        for rr in matches:
            if QTYPE[rr.rtype] == qtype:
                reply.add_answer(rr)
        if not matches:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class LoopbackDns:
    """A UDP DNS server on a random loopback port; `queries` lists (name, type) asked."""

    def __init__(self, zone: str) -> None:
        self._resolver = _ZoneResolver(zone)
        self._server = DNSServer(self._resolver, address="127.0.0.1", port=0)
        self.port: int = self._server.server.server_address[1]

    @property
    def queries(self) -> list[tuple[str, str]]:
        """Every (name, type) asked so far."""
        with self._resolver._lock:
            return list(self._resolver.queries)

    def __enter__(self) -> LoopbackDns:
        self._server.start_thread()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.stop()
        self._server.server.server_close()
