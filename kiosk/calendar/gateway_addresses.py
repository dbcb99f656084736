"""Google Meet, Zoom, Webex and other SIP meetings: dialled as SIP addresses through the
node's gateway rules when `KIOSK_GATEWAY_DIALING=true`, else booked but not joinable.

The room dials them on its configured node (the node's Call Routing rules reach
the service), so no other host is ever contacted from here. A Zoom passcode that
is part of the SIP address (`<id>.<passcode>@zoomcrc.com`) is left out: Zoom asks
for it, and a passcode must not end up in a log line or on the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kiosk.calendar.dial_target import AddressPolicy, AddressResult, DialTarget
from kiosk.calendar.pexip_addresses import BARE_ADDRESS, SIP_URI, clean_alias

RULE_MEET = "google-meet-sip"
RULE_ZOOM = "zoom-sip"
RULE_WEBEX = "webex-sip"
RULE_SIP = "sip-gateway"
GATEWAY_OFF = "(KIOSK_GATEWAY_DIALING is off)"

MEET_LINK = re.compile(r"https://meet\.google\.com/[a-z]{3}-[a-z]{4}-[a-z]{3}", re.IGNORECASE)
ZOOM_ADDRESS = re.compile(r"(?<![\w.])(\d{9,11})(?:\.[\w.]*)?@zoomcrc\.com\b", re.IGNORECASE)
ZOOM_LINK = re.compile(r"https://(?:[\w-]+\.)?zoom\.us/[jw]/(\d{9,11})\b", re.IGNORECASE)
WEBEX_ADDRESS = re.compile(r"(?<![\w.+-])([\w.+-]+)@([\w-]+)\.webex\.com\b", re.IGNORECASE)
WEBEX_SITE = re.compile(r"https://([\w-]+)\.webex\.com/", re.IGNORECASE)
# "Meeting number (access code): 2634 123 4567", "Numéro de réunion : ...", "Meeting-Kennnummer".
WEBEX_NUMBER = re.compile(
    r"(?:meeting\s+number|access\s+code|num[ée]ro\s+de\s+(?:la\s+)?r[ée]union"
    r"|meeting-kennnummer|n[úu]mero\s+de\s+reuni[óo]n)[^\d\n]{0,30}(\d(?:[ \u00a0]?\d){8,11})",
    re.IGNORECASE)
# Google's invitations say "Join by SIP" / "Join with SIP" above the address.
MEET_SIP_LABEL = re.compile(r"\bSIP\b", re.IGNORECASE)
SIP_LABEL_WINDOW = 200


def _gateway(rule: str, alias: str, meetings: str, policy: AddressPolicy) -> AddressResult:
    """Dial `alias` through the gateway, or say that `meetings` ("Zoom meetings") cannot be."""
    if policy.gateway_dialing:
        return AddressResult(rule, DialTarget(alias, rule))
    return AddressResult(rule, reason=(
        f"{meetings} are joined through the Pexip gateway, which this room does not use "
        f"{GATEWAY_OFF}"))


def _meet(text: str, field_names: tuple[str, ...], policy: AddressPolicy
          ) -> AddressResult | None:
    if not (MEET_LINK.search(text) or "X-GOOGLE-CONFERENCE" in field_names):
        return None
    sip = SIP_URI.search(text)
    alias = clean_alias(f"{sip.group(1)}@{sip.group(2)}") if sip else ""
    if not alias:
        for label in MEET_SIP_LABEL.finditer(text):
            found = BARE_ADDRESS.search(text, label.end(), label.end() + SIP_LABEL_WINDOW)
            if found is not None:
                alias = clean_alias(f"{found.group(1)}@{found.group(2)}")
                break
    if not alias:
        return AddressResult(RULE_MEET, reason=(
            "This Google Meet meeting has no video-device (SIP) dial-in"))
    return _gateway(RULE_MEET, alias, "Google Meet meetings", policy)


def _zoom(text: str, policy: AddressPolicy) -> AddressResult | None:
    found = ZOOM_ADDRESS.search(text) or ZOOM_LINK.search(text)
    if found is None:
        return None
    return _gateway(RULE_ZOOM, f"{found.group(1)}@zoomcrc.com", "Zoom meetings", policy)


def _webex(text: str, policy: AddressPolicy) -> AddressResult | None:
    found = WEBEX_ADDRESS.search(text)
    if found is not None:
        alias = f"{found.group(1)}@{found.group(2).lower()}.webex.com"
        return _gateway(RULE_WEBEX, alias, "Webex meetings", policy)
    site, number = WEBEX_SITE.search(text), WEBEX_NUMBER.search(text)
    if site is None:
        return None
    if number is None:
        return AddressResult(RULE_WEBEX, reason="This Webex meeting has no video-device dial-in")
    digits = re.sub(r"\D", "", number.group(1))
    alias = f"{digits}@{site.group(1).lower()}.webex.com"
    return _gateway(RULE_WEBEX, alias, "Webex meetings", policy)


def _other_sip(text: str, policy: AddressPolicy) -> AddressResult | None:
    for found in SIP_URI.finditer(text):
        domain = found.group(2).lower()
        if policy.allows_domain(domain) or domain == policy.node_host:
            continue  # a Pexip address: kiosk.calendar.pexip_addresses
        alias = clean_alias(f"{found.group(1)}@{found.group(2)}")
        if alias:
            return _gateway(RULE_SIP, alias, "Meetings of other video services", policy)
    return None


def gateway_addresses(text: str, field_names: tuple[str, ...], policy: AddressPolicy
                      ) -> Iterator[AddressResult]:
    """Google Meet, Zoom, Webex, then any other SIP address, in that order."""
    for result in (_meet(text, field_names, policy), _zoom(text, policy),
                   _webex(text, policy), _other_sip(text, policy)):
        if result is not None:
            yield result
