"""Microsoft Teams invitations, joined through Pexip's Teams gateway (Cloud Video Interop).

A Teams invitation with CVI has a "Join with a video conferencing device" block:
an address (`<id>@<tenant domain>`, often Pexip-hosted) and a Video Conference ID
(digits, maybe spaced). When the address's domain is a meeting domain the room
dials `<VTC ID>@<domain>`; otherwise, with `KIOSK_TEAMS_GATEWAY_ALIAS`, that alias
(a Virtual Reception for Teams) with the VTC ID as the meeting number. The block's
wording is translated by Outlook, so the labels of several languages are known, and
an "ID" followed by digits right after the block's address is accepted in any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.calendar.dial_target import AddressPolicy, AddressResult, DialTarget
from kiosk.calendar.pexip_addresses import BARE_ADDRESS

RULE_CVI = "teams-cvi"
RULE_VIRTUAL_RECEPTION = "teams-virtual-reception"
RULE_NO_DIAL_IN = "teams"
NO_DIAL_IN = "This Teams meeting has no video-device dial-in"

TEAMS_LINK = re.compile(r"https://teams\.(?:microsoft|live)\.com/(?:l/meetup-join|meet)/",
                        re.IGNORECASE)
TEAMS_PROPERTY = "X-MICROSOFT-SKYPETEAMSMEETINGURL"
DIGITS = r"(\d(?:[ \u00a0]?\d){5,15})"
# After an explicit label a short ID is believable too (a Virtual Reception's meeting number).
LABELLED_DIGITS = r"(\d(?:[ \u00a0]?\d){3,15})"
# "Video Conference ID: 118 223 344 5" in the languages Outlook writes it in.
VTC_LABEL = re.compile(
    r"(?:video\s*conference\s*id|vtc\s*(?:conference\s*)?id|videokonferenz-?id"
    r"|id\s+(?:de\s+(?:la\s+)?)?(?:conf[ée]rence\s+vid[ée]o|videoconfer[eê]ncia)"
    r"|id\.?\s+de\s+videoconferencia|id\s+(?:della\s+)?videoconferenza"
    r"|videokonferanse-?id|videokonferens-?id|videokonference-?id|videoconferentie-?id)"
    r"[^\d\n]{0,12}" + LABELLED_DIGITS, re.IGNORECASE)
# Any other language: "ID" then digits, just after the block's address.
GENERIC_ID = re.compile(r"\bID\b[^\d\n]{0,40}?" + DIGITS, re.IGNORECASE)
MEETING_ID_LABEL = re.compile(
    r"(?:meeting|besprechungs|r[ée]union|reuni[óo]n|riunione|m[øo]te|m[öo]tes|vergader)"
    r"[\s-]*$", re.IGNORECASE)
BLOCK_WINDOW = 300  # characters between the block's address and its ID


@dataclass(frozen=True)
class TeamsFinding:
    """A Teams invitation: the outcome, and the device address it used (not a Pexip alias)."""

    result: AddressResult
    device_address: str = ""


def _is_teams(text: str, field_names: tuple[str, ...]) -> bool:
    return TEAMS_PROPERTY in field_names or bool(TEAMS_LINK.search(text)) or (
        "microsoft teams" in text.lower())


def _address_before(text: str, position: int) -> str:
    """The last address within BLOCK_WINDOW characters before `position` ("" if none)."""
    window_start = max(0, position - BLOCK_WINDOW)
    found = list(BARE_ADDRESS.finditer(text, window_start, position))
    return f"{found[-1].group(1)}@{found[-1].group(2)}" if found else ""


def _device_block(text: str) -> tuple[str, str] | None:
    """(device address or "", VTC ID digits) of the video-device block, or None."""
    labelled = VTC_LABEL.search(text)
    if labelled is not None:
        return _address_before(text, labelled.start()), re.sub(r"\D", "", labelled.group(1))
    for address in BARE_ADDRESS.finditer(text):
        window = text[address.end():address.end() + BLOCK_WINDOW]
        following = BARE_ADDRESS.search(window)
        if following is not None:
            window = window[:following.start()]
        found = GENERIC_ID.search(window)
        if found is not None and not MEETING_ID_LABEL.search(window[:found.start()]):
            return f"{address.group(1)}@{address.group(2)}", re.sub(r"\D", "", found.group(1))
    return None


def find_teams(text: str, field_names: tuple[str, ...], policy: AddressPolicy
               ) -> TeamsFinding | None:
    """What a Teams invitation becomes; None when `text` is not a Teams invitation."""
    block = _device_block(text) if _is_teams(text, field_names) or VTC_LABEL.search(text) else None
    if block is None:
        if not _is_teams(text, field_names):
            return None
        return TeamsFinding(AddressResult(RULE_NO_DIAL_IN, reason=NO_DIAL_IN))
    address, vtc_id = block
    domain = address.rpartition("@")[2].lower()
    if domain and (policy.allows_domain(domain) or domain == policy.node_host):
        discover = None if domain == policy.node_host else domain
        target = DialTarget(f"{vtc_id}@{domain}", RULE_CVI, discover_domain=discover)
        return TeamsFinding(AddressResult(RULE_CVI, target), address)
    if policy.teams_gateway_alias:
        target = DialTarget(policy.teams_gateway_alias, RULE_VIRTUAL_RECEPTION, extension=vtc_id)
        return TeamsFinding(AddressResult(RULE_VIRTUAL_RECEPTION, target), address)
    where = f"({domain}) " if domain else ""
    return TeamsFinding(AddressResult(RULE_CVI, reason=(
        f"The Teams video address {where}is not in this room's meeting domains and no Teams "
        "gateway is set (KIOSK_MEETING_DOMAINS, KIOSK_TEAMS_GATEWAY_ALIAS)")), address)
