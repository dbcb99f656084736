"""The RTCConfiguration of a call: exactly the token's STUN/TURN servers, nothing else.

aiortc falls back to a public STUN server when `iceServers` is None; on a
closed network that stalls every join, so the list is always given (empty on
a LAN).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiortc import RTCConfiguration, RTCIceServer
from aiortc.rtcconfiguration import RTCBundlePolicy, RTCIceTransportPolicy

from kiosk.infinity.models import IceServer

log = logging.getLogger(__name__)


def rtc_configuration(
    ice_servers: Sequence[IceServer], relay_only: bool = False
) -> RTCConfiguration:
    """A configuration with the node's ICE servers only; relay-only when the node asks for it."""
    servers = [
        RTCIceServer(urls=list(server.urls), username=server.username,
                     credential=server.credential)
        for server in ice_servers
    ]
    stun = sum(1 for s in ice_servers if any(u.startswith("stun") for u in s.urls))
    turn = sum(1 for s in ice_servers if any(u.startswith("turn") for u in s.urls))
    if stun > 1 or turn > 1:
        # aiortc uses only the first STUN and the first TURN server it is given.
        log.info("The node offers %d STUN and %d TURN servers; using the first of each", stun, turn)
    return RTCConfiguration(
        iceServers=servers,
        iceTransportPolicy=RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL,
        # One transport for every m-line. With aiortc's default ("balanced") a second video
        # m-line (the slides) keeps a transport of its own that the node's BUNDLE answer
        # never connects, and nothing arrives on it.
        bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
    )
