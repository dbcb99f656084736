"""Every invitation of tests/data/invitations/ becomes the address (or the reason) that
expected.toml says, through the whole path: icalendar parsing of the file (folded
lines, mixed line endings, Outlook's time zones, X-WR-TIMEZONE) and the order of trust."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.calendar.day_agenda import AgendaRules, parse_day
from kiosk.calendar.dial_target import AddressPolicy
from kiosk.calendar.meeting_rules import load_meeting_rules

CORPUS = Path(__file__).resolve().parent / "data" / "invitations"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
DAY = dt.date(2025, 6, 11)
ZONE = ZoneInfo("Europe/Oslo")
NODE = "https://pexip.example.com"
DOMAINS = ("vc.example.com",)
POLICIES = {
    "plain": AgendaRules(AddressPolicy.for_node(NODE, DOMAINS)),
    "gateway": AgendaRules(AddressPolicy.for_node(NODE, DOMAINS, gateway_dialing=True)),
    "teams-gateway": AgendaRules(AddressPolicy.for_node(NODE, DOMAINS,
                                                        teams_gateway_alias="teams.reception")),
    "rules": AgendaRules(AddressPolicy.for_node(NODE, DOMAINS),
                         rules=load_meeting_rules(CORPUS / "rules.toml")),
}


def test_the_corpus_is_big_enough_and_every_file_has_an_expectation() -> None:
    files = {path.stem for path in CORPUS.glob("*.ics")}
    assert len(files) >= 25
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invitation_becomes_what_is_expected(name: str) -> None:
    expected = EXPECTED[name]
    body = (CORPUS / f"{name}.ics").read_bytes()

    agenda = parse_day(body, DAY, ZONE, POLICIES[expected["policy"]])

    assert len(agenda.meetings) == 1, "each file holds one meeting on 11 June 2025"
    meeting = agenda.meetings[0]
    assert meeting.start.date() == DAY and meeting.end > meeting.start
    assert meeting.private is expected.get("private", False)
    result = meeting.address
    assert result.rule == expected["rule"]
    if "alias" in expected:
        assert result.target is not None, result.reason
        target = result.target
        assert target.alias == expected["alias"]
        assert target.extension == expected.get("extension")
        assert target.has_pin is expected.get("has_pin", False)
        assert target.node_url == expected.get("node")
        assert target.discover_domain == expected.get("discover")
        assert target.rule == expected["rule"]
        assert result.reason == ""
    else:
        assert result.target is None
        assert expected["reason"] in result.reason


def test_a_pin_in_a_link_is_kept_for_the_join_but_never_in_a_repr() -> None:
    body = (CORPUS / "01-pexip-vmr-en.ics").read_bytes()
    meeting = parse_day(body, DAY, ZONE, POLICIES["plain"]).meetings[0]
    assert meeting.address.target is not None and meeting.address.target.pin == "4711"
    assert "4711" not in repr(meeting)
    assert "4711" not in repr(meeting.address)
