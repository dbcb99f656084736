"""A CalDAV calendar read with the `caldav` package from a real CalDAV server (Radicale)
over HTTPS on loopback: today's meetings, recurring series expanded by the kiosk, an
unchanged calendar reported as such, and a wrong password as one clear line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import caldav
import pytest
from calendar_feeds import Booking, feed
from loopback_caldav import PASSWORD, USER, LoopbackCalDav

from kiosk.calendar.caldav_source import CalDavSource
from kiosk.calendar.calendar_cache import CalendarCache
from kiosk.calendar.calendar_service import CalendarService
from kiosk.calendar.calendar_status import CalendarHealth
from kiosk.calendar.day_agenda import AgendaRules
from kiosk.calendar.dial_target import AddressPolicy
from kiosk.calendar.feed_errors import CalendarUnreachable
from kiosk.calendar.feed_source import Validators

NOW = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)
RULES = AgendaRules(AddressPolicy.for_node("https://pexip.example.com", ("vc.example.com",)))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LoopbackCalDav]:
    with LoopbackCalDav(tmp_path) as dav:
        with caldav.DAVClient(url=dav.url, username=USER, password=PASSWORD,
                              ssl_verify_cert=str(dav.ca_bundle)) as client:
            calendar = client.principal().make_calendar(name="Room 42", cal_id="room42")
            for booking in (
                Booking("today", NOW + dt.timedelta(hours=1), subject="Design review",
                        lines=("LOCATION:https://pexip.example.com/webapp/m/meet.review",)),
                Booking("series", NOW - dt.timedelta(days=3), 15, subject="Stand-up",
                        lines=("RRULE:FREQ=DAILY;COUNT=10", "LOCATION:pexip://meet.standup")),
                Booking("old", NOW - dt.timedelta(days=40), subject="Long gone"),
            ):
                calendar.save_event(feed([booking]).decode())
        yield dav


def source_for(server: LoopbackCalDav, password: str = PASSWORD) -> CalDavSource:
    return CalDavSource(server.calendar_url("room42"), USER, password,
                        verify=str(server.ca_bundle), now=lambda: NOW)


def test_today_is_read_from_caldav_and_series_are_expanded(
    server: LoopbackCalDav, tmp_path: Path
) -> None:
    service = CalendarService(source_for(server), CalendarCache(tmp_path / "state"), RULES,
                              zone=dt.UTC, now=lambda: NOW)
    snapshot = service.refresh()
    assert snapshot.status.health is CalendarHealth.OK, snapshot.status
    assert snapshot.status.source == "127.0.0.1"
    assert snapshot.agenda is not None
    meetings = [(m.start, m.subject, m.address.target.alias if m.address.target else None)
                for m in snapshot.agenda.meetings]
    assert meetings == [
        (NOW, "Stand-up", "meet.standup"),
        (NOW + dt.timedelta(hours=1), "Design review", "meet.review"),
    ]


def test_an_unchanged_caldav_calendar_is_not_parsed_again(server: LoopbackCalDav) -> None:
    source = source_for(server)
    first = source.fetch(Validators())
    assert first.changed and b"Design review" in first.body
    assert b"Long gone" not in first.body  # only the days around today are asked for
    assert not source.fetch(first.validators).changed


def test_a_wrong_caldav_password_is_one_clear_line(server: LoopbackCalDav) -> None:
    with pytest.raises(CalendarUnreachable) as caught:
        source_for(server, password="wrong").fetch(Validators())
    assert str(caught.value) == ("the CalDAV server 127.0.0.1 refused the user name or "
                                 "password")
    assert "wrong" not in str(caught.value)
