"""A calendar meeting's dial target made into the session's `JoinRequest` (blocking: it may
look the node up in DNS and ask candidates for their status)."""

from __future__ import annotations

from kiosk.calendar.dial_target import DialTarget
from kiosk.calendar.node_discovery import NodeDiscovery
from kiosk.session.join_request import JoinRequest


def join_request_for(target: DialTarget, discovery: NodeDiscovery | None) -> JoinRequest:
    """What the session joins for `target`: on the node its link names, on the node its
    meeting domain's DNS names (when one is up), or on the configured node."""
    node = target.node_url
    if node is None and target.discover_domain and discovery is not None:
        node = discovery.find_node(target.discover_domain)
    return JoinRequest(alias=target.alias, extension=target.extension, pin=target.pin,
                       node=node)
