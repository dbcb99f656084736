"""Notices when the device's own network addresses change during a call.

A cable moved to another switch port, a Wi-Fi roam to another subnet, a new
DHCP lease: the call's ICE candidates then point at an address the device no
longer has and the media stops until consent checks give up (~30 s). Polling
the interface addresses (psutil) every couple of seconds finds it at once; the
call then reports itself lost and the session sets up a new one.

Only addresses the call offered as host candidates AND the device had when the
call came up are watched: a new address (an IPv6 privacy address, a second
network) changes nothing for a call that works.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Iterable

import psutil
from aiortc.sdp import SessionDescription

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
AddressSource = Callable[[], frozenset[str]]


def host_addresses() -> frozenset[str]:
    """Every IPv4/IPv6 address of this machine's interfaces (IPv6 without its %zone)."""
    addresses = set()
    for snics in psutil.net_if_addrs().values():
        for snic in snics:
            if snic.family in (socket.AF_INET, socket.AF_INET6):
                addresses.add(snic.address.split("%", 1)[0])
    return frozenset(addresses)


def host_candidate_addresses(sdp: str) -> frozenset[str]:
    """The addresses of the host candidates in a local description."""
    try:
        description = SessionDescription.parse(sdp)
    except (ValueError, IndexError, KeyError):
        return frozenset()
    return frozenset(candidate.ip for media in description.media
                     for candidate in media.ice_candidates if candidate.type == "host")


def vanished(watched: Iterable[str], current: frozenset[str]) -> list[str]:
    """The watched addresses the machine no longer has."""
    return sorted(address for address in watched if address not in current)


async def watch_addresses(
    local_sdp: str,
    on_change: Callable[[str], None],
    source: AddressSource = host_addresses,
    interval: float = POLL_SECONDS,
) -> None:
    """Poll `source` until a watched address disappears, then call `on_change(reason)` once."""
    watched = host_candidate_addresses(local_sdp) & source()
    if not watched:
        return
    while True:
        await asyncio.sleep(interval)
        try:
            gone = vanished(watched, source())
        except Exception as exc:  # psutil failing must never end a call
            log.debug("Reading the interface addresses failed: %s", exc)
            continue
        if gone:
            on_change(f"the device's network addresses changed ({', '.join(gone)} gone)")
            return
