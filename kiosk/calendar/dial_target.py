"""What an invitation becomes: something to dial (`DialTarget`), or why it cannot be joined.

Plain data. A PIN read from a meeting link is kept for the join only: it is left
out of every repr, and `describe()` gives only whether there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class AddressPolicy:
    """The room's rules for turning invitations into addresses (from `CalendarSettings`).

    `node_host` / `node_netloc` are the configured node's host and host:port (lower
    case): links to it, and addresses in its own domain, are dialled there.
    """

    meeting_domains: tuple[str, ...] = ()
    teams_gateway_alias: str = ""
    gateway_dialing: bool = False
    node_host: str = ""
    node_netloc: str = ""

    @classmethod
    def for_node(cls, node_url: str, meeting_domains: tuple[str, ...] = (),
                 teams_gateway_alias: str = "", gateway_dialing: bool = False) -> AddressPolicy:
        """The policy of a room whose configured node is `node_url` ("" for none)."""
        parts = urlsplit(node_url)
        return cls(meeting_domains=tuple(d.lower() for d in meeting_domains),
                   teams_gateway_alias=teams_gateway_alias, gateway_dialing=gateway_dialing,
                   node_host=(parts.hostname or "").lower(), node_netloc=parts.netloc.lower())

    def allows_domain(self, domain: str) -> bool:
        """True when `domain` is one of the meeting domains or below one."""
        domain = domain.lower().rstrip(".")
        return any(domain == d or domain.endswith("." + d) for d in self.meeting_domains)


@dataclass(frozen=True)
class DialTarget:
    """An alias the room can dial, with what the invitation says about joining it.

    `node_url`: the node to join on when the invitation names one that may be
    contacted (a Pexip link to an allowed host); None = the configured node.
    `discover_domain`: a meeting domain whose node is found through DNS SRV
    (`kiosk.calendar.node_discovery`) before joining.
    """

    alias: str
    rule: str
    extension: str | None = None
    pin: str | None = field(default=None, repr=False)
    role: str = ""
    node_url: str | None = None
    discover_domain: str | None = None

    @property
    def has_pin(self) -> bool:
        """True when the invitation carries a PIN (never shown)."""
        return bool(self.pin)


@dataclass(frozen=True)
class AddressResult:
    """The outcome for one invitation: `target` when joinable, else `reason` in words.

    `rule` names what matched (also for a meeting that cannot be joined, e.g.
    "teams" with "This Teams meeting has no video-device dial-in"); "" when nothing did.
    """

    rule: str = ""
    target: DialTarget | None = None
    reason: str = ""

    @property
    def joinable(self) -> bool:
        """True when there is something to dial."""
        return self.target is not None


NO_ADDRESS = AddressResult(rule="", reason="No video meeting address in the invitation")
