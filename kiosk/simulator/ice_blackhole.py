"""A far end whose ICE never answers: the fault behind `{"ice_blackhole": true}`.

The answer SDP is real, except that its candidates point at a UDP port that
reads and drops everything (no reply, no ICMP error), and the far end's own
peer is given no candidates of the kiosk, so it never sends a check either.
The kiosk's connectivity checks go unanswered and its ICE times out, exactly
as behind a firewall that drops media.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

CANDIDATE_PREFIX = "a=candidate:"
END_OF_CANDIDATES = "a=end-of-candidates"


class _Discard(asyncio.DatagramProtocol):
    def __init__(self, port: SilentUdpPort) -> None:
        self._port = port

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self._port.datagrams_received += 1


class SilentUdpPort:
    """A UDP socket on `host` that counts what arrives and never answers."""

    def __init__(self) -> None:
        self.datagrams_received = 0
        self.port = 0
        self._transport: asyncio.DatagramTransport | None = None

    async def open(self, host: str = "127.0.0.1") -> None:
        """Bind to a free port on `host`."""
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _Discard(self), local_addr=(host, 0)
        )
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]

    def close(self) -> None:
        """Release the port. Idempotent."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None


def without_candidates(sdp: str) -> str:
    """The SDP with every ICE candidate (and the end-of-candidates marker) removed."""
    kept = [
        line
        for line in sdp.splitlines()
        if not line.startswith(CANDIDATE_PREFIX) and line.strip() != END_OF_CANDIDATES
    ]
    return "\r\n".join(kept) + "\r\n"


def redirect_candidates(sdp: str, host: str, port: int) -> str:
    """The SDP with each candidate's address, and each m-line's port, set to `host`:`port`."""
    lines = []
    for line in sdp.splitlines():
        if line.startswith(CANDIDATE_PREFIX):
            # a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ ..
            fields = line.split(" ")
            if len(fields) > 5:
                fields[4], fields[5] = host, str(port)
            line = " ".join(fields)
        elif line.startswith("m="):
            fields = line.split(" ")
            if len(fields) > 1 and fields[1] != "0":  # port 0: a rejected m-line
                fields[1] = str(port)
            line = " ".join(fields)
        elif line.startswith("c=IN IP4 "):
            line = f"c=IN IP4 {host}"
        lines.append(line)
    return "\r\n".join(lines) + "\r\n"
