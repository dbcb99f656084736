"""The simulator's demo calendar: every kind of meeting the issue lists, relative to the
start, read through the kiosk's own calendar code; served over HTTPS with 304 when
unchanged, and a switch that makes it fail like a dead calendar server."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.calendar.day_agenda import AgendaRules, parse_day
from kiosk.calendar.dial_target import AddressPolicy
from kiosk.calendar.feed_errors import CalendarUnreachable
from kiosk.calendar.feed_source import IcsFeedSource, Validators
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.demo_calendar import demo_feed

ORIGIN = "https://127.0.0.1:8443"
STARTED = dt.datetime(2025, 6, 11, 9, 0, 27, tzinfo=dt.UTC)


def test_the_demo_feed_has_every_kind_of_meeting_relative_to_its_start() -> None:
    policy = AddressPolicy.for_node(ORIGIN, teams_gateway_alias="reception")
    body = demo_feed(ORIGIN, STARTED).encode()
    agenda = parse_day(body, STARTED.date(), dt.UTC, AgendaRules(policy))
    meetings = {m.subject: m for m in agenda.meetings}
    assert list(meetings) == ["Morning check-in", "Weekly planning", "Board meeting",
                              "Customer call (Teams)", "Zoom: partner demo",
                              "1:1 salary review", "Daily stand-up"]
    base = STARTED.replace(second=0)
    assert meetings["Morning check-in"].is_over(STARTED)
    planning = meetings["Weekly planning"]
    assert planning.is_running(STARTED) and planning.organiser == "Alice Example"
    assert planning.address.target is not None
    assert (planning.address.target.alias, planning.address.target.node_url) == ("meet.open", None)
    board = meetings["Board meeting"]
    assert board.start == base + dt.timedelta(minutes=4)
    assert board.address.target is not None and board.address.target.alias == "meet.board"
    assert not board.address.target.has_pin  # the PIN screen asks
    teams = meetings["Customer call (Teams)"]
    assert teams.address.rule == "teams-virtual-reception"
    assert teams.address.target is not None
    assert (teams.address.target.alias, teams.address.target.extension) == ("reception", "1001")
    zoom = meetings["Zoom: partner demo"]
    assert not zoom.joinable and "KIOSK_GATEWAY_DIALING" in zoom.address.reason
    private = meetings["1:1 salary review"]
    assert private.private and private.shown_subject == "Private meeting"
    assert private.shown_organiser == ""
    standup = meetings["Daily stand-up"]
    assert standup.start == base + dt.timedelta(hours=4)
    assert standup.address.target is not None and standup.address.target.alias == "meet.lobby"
    # The series: yesterday's start, today's instance, tomorrow excluded, the day after back.
    tomorrow = parse_day(body, STARTED.date() + dt.timedelta(days=1), dt.UTC, AgendaRules(policy))
    assert "Daily stand-up" not in [m.subject for m in tomorrow.meetings]
    later = parse_day(body, STARTED.date() + dt.timedelta(days=2), dt.UTC, AgendaRules(policy))
    assert [m.subject for m in later.meetings] == ["Daily stand-up"]


def test_the_simulator_serves_it_with_304_and_can_make_it_fail(
    simulator: SimulatorThread
) -> None:
    source = IcsFeedSource(simulator.control.calendar_url, verify=str(simulator.ca_bundle))
    first = source.fetch(Validators())
    assert first.changed and b"SUMMARY:Weekly planning" in first.body
    assert f"LOCATION:{simulator.url}/webapp/m/meet.open".encode() in first.body
    assert first.validators.etag
    assert not source.fetch(first.validators).changed
    simulator.control.fail_calendar(503)
    with pytest.raises(CalendarUnreachable, match="failed \\(HTTP 503\\)"):
        source.fetch(first.validators)
    simulator.control.fail_calendar(None)
    assert not source.fetch(first.validators).changed
