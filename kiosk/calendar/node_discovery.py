"""Finding the node for a meeting address, as Pexip's own clients do.

`_pexapp._tcp.<domain>` SRV records, in RFC 2782 order (lowest priority first,
then a weighted random pick among equals: dnspython's `processing_order`), else
the domain itself when it has an A or AAAA record; each candidate is asked
`GET /api/client/v2/status` in turn, and the first that is up wins (503 means
maintenance: the next one is tried).

Only domains in `KIOSK_MEETING_DOMAINS`, or the configured node's own, are ever
looked up or contacted: an invitation cannot send the room's name and camera to
an arbitrary host. (The SRV records of an allowed domain are its owner's word on
where its nodes are, so their targets are trusted.) Blocking: run it in a worker
thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.resolver

from kiosk.calendar.dial_target import AddressPolicy
from kiosk.infinity.client import InfinityClient, NodeStatus
from kiosk.infinity.errors import InfinityError
from kiosk.session.teardown import QUICK_TIMEOUTS

log = logging.getLogger(__name__)

SRV_PREFIX = "_pexapp._tcp."
HTTPS_PORT = 443
DNS_LIFETIME = 3.0  # seconds for one lookup, all retries included
MAX_CANDIDATES = 8


class DomainNotAllowed(Exception):
    """The domain is not one the room may contact."""


@dataclass(frozen=True)
class NodeCandidate:
    """A host and port that may be a Conferencing Node."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """`https://host[:port]`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}" if self.port == HTTPS_PORT else f"https://{host}:{self.port}"


def make_resolver(nameserver: str | None = None, port: int = 53,
                  lifetime: float = DNS_LIFETIME) -> dns.resolver.Resolver:
    """The system's resolver, or one asking only `nameserver` on `port` (tests, labs)."""
    if nameserver is None:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [nameserver]
        resolver.port = port
    resolver.lifetime = lifetime
    resolver.timeout = lifetime
    return resolver


def node_is_up(url: str, verify: bool | str) -> bool:
    """True when `url` answers `GET /status` as a Pexip node that is up (not maintenance)."""
    with InfinityClient(url, verify=verify, timeouts=QUICK_TIMEOUTS) as client:
        try:
            return client.status() is NodeStatus.UP
        except InfinityError as exc:
            log.info("Node %s did not answer as a Pexip node (%s)", url, type(exc).__name__)
            return False


class NodeDiscovery:
    """Looks up the node of meeting domains the room is allowed to contact."""

    def __init__(
        self,
        policy: AddressPolicy,
        verify: bool | str = True,
        resolver: dns.resolver.Resolver | None = None,
        fallback_port: int = HTTPS_PORT,
        is_up: Callable[[str, bool | str], bool] = node_is_up,
    ) -> None:
        self._policy = policy
        self._verify = verify
        self._resolver = resolver or make_resolver()
        self._fallback_port = fallback_port
        self._is_up = is_up

    def _check_allowed(self, domain: str) -> str:
        domain = domain.lower().rstrip(".")
        if not (self._policy.allows_domain(domain) or domain == self._policy.node_host):
            raise DomainNotAllowed(f"{domain} is not one of this room's meeting domains")
        return domain

    def _resolve(self, name: str, rdtype: str) -> dns.resolver.Answer | None:
        try:
            return self._resolver.resolve(name, rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
            return None
        except (dns.exception.Timeout, dns.exception.DNSException) as exc:
            log.info("DNS lookup of %s %s failed (%s)", name, rdtype, type(exc).__name__)
            return None

    def candidates(self, domain: str) -> list[NodeCandidate]:
        """Where the nodes of `domain` may be, in the order to try them (DomainNotAllowed
        for a domain the room may not contact)."""
        domain = self._check_allowed(domain)
        answer = self._resolve(SRV_PREFIX + domain, "SRV")
        found: list[NodeCandidate] = []
        if answer is not None and answer.rrset is not None:
            for record in answer.rrset.processing_order():
                target = record.target.to_text(omit_final_dot=True)  # type: ignore[attr-defined]
                if record.target == dns.name.root:  # type: ignore[attr-defined]
                    continue  # "." = the service is decidedly not offered here
                candidate = NodeCandidate(target.lower(), int(record.port))  # type: ignore[attr-defined]
                if candidate not in found:
                    found.append(candidate)
            if found:
                return found[:MAX_CANDIDATES]
        if self._resolve(domain, "A") is not None or self._resolve(domain, "AAAA") is not None:
            return [NodeCandidate(domain, self._fallback_port)]
        return []

    def find_node(self, domain: str) -> str | None:
        """The https address of the first node of `domain` that is up, or None (no record
        answers, or nothing is up: the room then dials through its configured node)."""
        try:
            candidates = self.candidates(domain)
        except DomainNotAllowed as exc:
            log.warning("Not contacting %s", exc)
            return None
        for candidate in candidates:
            if self._is_up(candidate.url, self._verify):
                log.info("Meeting domain %s: node %s", domain, candidate.url)
                return candidate.url
        if candidates:
            log.info("Meeting domain %s: none of its %d nodes is up", domain, len(candidates))
        else:
            log.info("Meeting domain %s has no _pexapp SRV, A or AAAA record", domain)
        return None
