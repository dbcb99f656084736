"""From invitation to something to dial: the first joinable address, in order of trust.

1. Pexip: web app links, `pexip://`, `sip:` and `alias@domain` in the meeting domains
   (`kiosk.calendar.pexip_addresses`).
2. Microsoft Teams through the Teams gateway (`kiosk.calendar.teams_cvi`).
3. Google Meet, Zoom, Webex and other SIP addresses through the node's gateway
   (`kiosk.calendar.gateway_addresses`).
4. The room's custom rules (`KIOSK_MEETING_RULES`, `kiosk.calendar.meeting_rules`).

The result keeps the rule that matched (shown on the admin screen and by
`pexip-kiosk agenda`). When nothing joinable is found, the most trusted match
says why ("This Teams meeting has no video-device dial-in").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain

from kiosk.calendar.dial_target import NO_ADDRESS, AddressPolicy, AddressResult, DialTarget
from kiosk.calendar.gateway_addresses import gateway_addresses
from kiosk.calendar.invitation_text import Invitation
from kiosk.calendar.meeting_rules import MeetingRule
from kiosk.calendar.pexip_addresses import addresses, pexip_uris, webapp_links
from kiosk.calendar.teams_cvi import find_teams

CUSTOM_RULE_PREFIX = "custom:"


def _custom(text: str, rules: Sequence[MeetingRule], policy: AddressPolicy
            ) -> Iterator[AddressResult]:
    for rule in rules:
        found = rule.apply(text)
        if found is None:
            continue
        alias, extension = found
        name = CUSTOM_RULE_PREFIX + rule.name
        domain = alias.rpartition("@")[2].lower() if "@" in alias else ""
        discover = domain if domain and policy.allows_domain(domain) else None
        yield AddressResult(name, DialTarget(alias, name, extension=extension,
                                             discover_domain=discover))


def _candidates(invitation: Invitation, policy: AddressPolicy,
                rules: Sequence[MeetingRule]) -> Iterator[AddressResult]:
    text = invitation.text
    names = tuple(name for name, _ in invitation.fields)
    # Looked for first so that a Teams device address in a meeting domain is not taken for
    # a Pexip alias; its place in the order of trust is still after Pexip's own addresses.
    teams = find_teams(text, names, policy)
    device = (teams.device_address,) if teams is not None and teams.device_address else ()
    yield from chain(webapp_links(text, policy), pexip_uris(text, policy),
                     addresses(text, policy, skip=device))
    if teams is not None:
        yield teams.result
    yield from gateway_addresses(text, names, policy)
    yield from _custom(text, rules, policy)


def find_meeting_address(invitation: Invitation, policy: AddressPolicy,
                         rules: Sequence[MeetingRule] = ()) -> AddressResult:
    """The first joinable address of `invitation`, or the most trusted reason why none is."""
    first_refusal: AddressResult | None = None
    for candidate in _candidates(invitation, policy, rules):
        if candidate.joinable:
            return candidate
        first_refusal = first_refusal or candidate
    return first_refusal or NO_ADDRESS
