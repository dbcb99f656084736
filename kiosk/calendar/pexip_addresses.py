"""Pexip meeting addresses in invitation text: web app links, `pexip://`, `sip:` and
`alias@domain` addresses in the room's meeting domains.

A web app link names its node: it is joined there only when that host is the
configured node or in `KIOSK_MEETING_DOMAINS`; an address in a meeting domain is
joined on the node that domain's DNS names (`discover_domain`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

from kiosk.calendar.dial_target import AddressPolicy, AddressResult, DialTarget

RULE_WEBAPP = "pexip-webapp-link"
RULE_URI = "pexip-uri"
RULE_SIP = "pexip-sip"
RULE_ADDRESS = "pexip-address"

WEBAPP_LINK = re.compile(
    r"https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?/webapp\d?(?:/|\?|#)"
    r"[^\s<>\"'()\[\]{}]*", re.IGNORECASE)
PEXIP_URI = re.compile(r"pexip://([^\s<>\"'()\[\]{}]+)", re.IGNORECASE)
SIP_URI = re.compile(r"\bsips?:([\w.+%-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", re.IGNORECASE)
# Not after ":" or "/" (mailto:, sip:, a URL's user part) nor inside a longer word.
BARE_ADDRESS = re.compile(
    r"(?<![\w.+%:/=-])([\w.+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?![\w-])")
TRAILING_PUNCTUATION = ".,;:!?>)]'\""
MAX_ALIAS = 200


def clean_alias(raw: str) -> str:
    """A URL-decoded alias, or "" when it is not something to dial."""
    alias = unquote(raw).strip().strip(TRAILING_PUNCTUATION)
    if not alias or len(alias) > MAX_ALIAS or any(ch.isspace() or ord(ch) < 32 for ch in alias):
        return ""
    return alias


def _first(values: dict[str, list[str]], key: str) -> str:
    found = values.get(key) or [""]
    return found[0].strip()


def _link_parts(link: str) -> tuple[str, str, str, str] | None:
    """(host with port, alias, pin, role) of a web app link, or None."""
    parts = urlsplit(link.rstrip(TRAILING_PUNCTUATION))
    path = parts.path.split("/")  # ["", "webapp", "m", "<alias>", ...]
    query = parse_qs(parts.query)
    fragment = parts.fragment
    if "?" in fragment:  # "#/?conference=alias&pin=..." (the Angular web app)
        query.update(parse_qs(fragment.split("?", 1)[1]))
    alias = ""
    if len(path) >= 4 and path[2].lower() in ("m", "conference", "meeting"):
        alias = path[3]
    alias = clean_alias(alias or _first(query, "conference"))
    if not alias or not parts.hostname:
        return None
    return parts.netloc.lower(), alias, _first(query, "pin"), _first(query, "role").lower()


def _target_on(domain: str, alias: str, rule: str, policy: AddressPolicy,
               pin: str | None = None) -> AddressResult | None:
    """Dial `alias` on the node of `domain` (an address in a meeting domain), or None."""
    domain = domain.lower()
    if policy.node_host and domain == policy.node_host:
        return AddressResult(rule, DialTarget(alias, rule, pin=pin))
    if policy.allows_domain(domain):
        return AddressResult(rule, DialTarget(alias, rule, pin=pin, discover_domain=domain))
    return None


def webapp_links(text: str, policy: AddressPolicy) -> Iterator[AddressResult]:
    """Every Pexip web app link, joinable or with the reason it may not be contacted."""
    for found in WEBAPP_LINK.finditer(text):
        parts = _link_parts(found.group(0))
        if parts is None:
            continue
        netloc, alias, pin, role = parts
        host = urlsplit(f"//{netloc}").hostname or ""
        target = DialTarget(alias, RULE_WEBAPP, pin=pin or None, role=role)
        if policy.node_host and netloc in (policy.node_host, policy.node_netloc):
            yield AddressResult(RULE_WEBAPP, target)
        elif policy.allows_domain(host):
            yield AddressResult(RULE_WEBAPP, DialTarget(
                alias, RULE_WEBAPP, pin=pin or None, role=role, node_url=f"https://{netloc}"))
        else:
            yield AddressResult(RULE_WEBAPP, reason=(
                f"The meeting is on a Pexip node ({host}) outside this room's meeting domains "
                "(KIOSK_MEETING_DOMAINS)"))


def pexip_uris(text: str, policy: AddressPolicy) -> Iterator[AddressResult]:
    """`pexip://alias` (an `@domain` in a meeting domain is found through DNS)."""
    for found in PEXIP_URI.finditer(text):
        raw, _, query = found.group(1).partition("?")
        alias = clean_alias(raw.rstrip("/"))
        if not alias:
            continue
        pin = _first(parse_qs(query), "pin") or None
        _, at, domain = alias.rpartition("@")
        result = _target_on(domain, alias, RULE_URI, policy, pin) if at else None
        yield result or AddressResult(RULE_URI, DialTarget(alias, RULE_URI, pin=pin))


def addresses(text: str, policy: AddressPolicy, skip: Iterable[str] = ()
              ) -> Iterator[AddressResult]:
    """`sip:alias@domain`, then plain `alias@domain`, for the meeting domains only."""
    skipped = {s.lower() for s in skip}
    for pattern, rule in ((SIP_URI, RULE_SIP), (BARE_ADDRESS, RULE_ADDRESS)):
        for found in pattern.finditer(text):
            alias = clean_alias(f"{found.group(1)}@{found.group(2)}")
            if not alias or alias.lower() in skipped:
                continue
            result = _target_on(found.group(2), alias, rule, policy)
            if result is not None:
                yield result
