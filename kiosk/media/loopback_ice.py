"""Keep ICE on 127.0.0.1 when the far end is on this machine.

aioice offers every interface's address except 127.0.0.1 as a host candidate.
When the node is the embedded simulator on loopback (the demo, the tests), that
sends media through the machine's LAN address, or, on a host whose only
interface is loopback, offers no candidate at all. aioice has no option for
this, so the one function it uses to list addresses is replaced, process-wide,
for as long as the process talks only to a loopback node.
"""

from __future__ import annotations

import aioice.ice

LOOPBACK_ADDRESSES = ["127.0.0.1"]


def _loopback_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return list(LOOPBACK_ADDRESSES) if use_ipv4 else []


def use_loopback_candidates_only() -> None:
    """Make every later ICE gathering in this process offer only 127.0.0.1. Idempotent."""
    aioice.ice.get_host_addresses = _loopback_host_addresses


def loopback_candidates_only() -> bool:
    """True once `use_loopback_candidates_only` was called in this process."""
    return aioice.ice.get_host_addresses is _loopback_host_addresses
