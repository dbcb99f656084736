"""The calendar kept current: conditional refreshes over real HTTPS, hostile feeds that
leave the last good copy in use with one clear line, and the copy on disk that keeps a
restarted room joining while the calendar server is down."""

from __future__ import annotations

import datetime as dt
import logging
import random
import stat
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from calendar_feed_server import FeedServer
from calendar_feeds import Booking, feed

from kiosk.calendar.calendar_cache import CalendarCache
from kiosk.calendar.calendar_service import CalendarService
from kiosk.calendar.calendar_status import CalendarHealth
from kiosk.calendar.day_agenda import AgendaRules
from kiosk.calendar.dial_target import AddressPolicy
from kiosk.calendar.feed_errors import CalendarUnreachable
from kiosk.calendar.feed_source import IcsFeedSource, Validators
from kiosk.net import HttpLimits

ZONE = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2025, 6, 11, 9, 0, tzinfo=ZONE)
RULES = AgendaRules(AddressPolicy.for_node("https://pexip.example.com", ("vc.example.com",)))
GOOD = feed([
    Booking("standup", NOW.replace(hour=9, minute=30), subject="Stand-up",
            lines=("LOCATION:https://pexip.example.com/webapp/m/meet.standup",)),
    Booking("review", NOW.replace(hour=13), 60, subject="Design review",
            lines=("DESCRIPTION:sip:meet.review@vc.example.com",)),
])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FeedServer]:
    with FeedServer(tmp_path) as feed_server:
        feed_server.serve(GOOD)
        yield feed_server


def make_service(server: FeedServer, state: Path, **kwargs: object) -> CalendarService:
    source = IcsFeedSource(server.url, verify=str(server.ca_bundle))
    return CalendarService(source, CalendarCache(state), RULES, zone=ZONE,
                           now=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def subjects(service: CalendarService) -> list[str]:
    agenda = service.snapshot.agenda
    assert agenda is not None
    return [m.subject for m in agenda.meetings]


def test_a_feed_is_read_then_asked_conditionally(server: FeedServer, tmp_path: Path) -> None:
    service = make_service(server, tmp_path / "state")
    first = service.refresh()
    assert first.status.health is CalendarHealth.OK
    assert first.status.source == "127.0.0.1"
    assert subjects(service) == ["Stand-up", "Design review"]
    assert first.agenda is not None and first.agenda.meetings[0].joinable

    second = service.refresh()
    _, headers = server.requests[-1]
    assert headers.get("If-None-Match", "").startswith('"')
    assert headers.get("If-Modified-Since") == "Wed, 11 Jun 2025 06:00:00 GMT"
    # 304: the same agenda (nothing to redraw), confirmed at a later time.
    assert second.agenda is first.agenda
    assert second.status.updated is not None and first.status.updated is not None
    assert second.status.updated >= first.status.updated

    server.serve(feed([Booking("new", NOW.replace(hour=15), subject="Added later")]))
    third = service.refresh()
    assert subjects(service) == ["Added later"]
    assert third.agenda is not first.agenda


def test_a_server_with_an_untrusted_certificate_is_refused(server: FeedServer) -> None:
    source = IcsFeedSource(server.url)  # the public CAs only
    with pytest.raises(CalendarUnreachable, match="certificate is not trusted"):
        source.fetch(Validators())


def test_a_stalled_server_is_given_up_on_within_the_deadline(server: FeedServer) -> None:
    server.serve(GOOD, delay=3.0)
    source = IcsFeedSource(server.url, verify=str(server.ca_bundle),
                           limits=HttpLimits(deadline=0.5, max_body=1 << 20, connect=2, read=2))
    with pytest.raises(CalendarUnreachable, match="did not answer within 0.5 s"):
        source.fetch(Validators())


@pytest.mark.parametrize(
    ("body", "kwargs", "problem"),
    [
        (b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to your "
         b"account</body></html>", {"content_type": "text/html"}, "web page (a login page?)"),
        (b'{"error": "calendar not published"}', {"content_type": "application/json"},
         "not an iCalendar feed"),
        (b"", {}, "empty reply"),
        (bytes(range(256)) * 64, {"content_type": "application/octet-stream"},
         "not an iCalendar feed"),
        (b"BEGIN:VCALENDAR\r\n" + b"X-FILLER:" + b"x" * (50 * 1024 * 1024) + b"\r\n", {},
         "larger than 16 MB"),
        (feed(Booking(f"e{i}", NOW + dt.timedelta(minutes=i)) for i in range(10_000)), {},
         "more than 8000 events"),
        (feed([Booking("bad", NOW)]).replace(b"DTSTART:20250611T070000Z", b"DTSTART:2025-13-45")
         .replace(b"DTEND:20250611T073000Z", b"DTEND:yesterday"), {}, "readable dates"),
        (b"Sorry", {"status": 401, "etag": False}, "refused access (HTTP 401)"),
        (b"Gone", {"status": 404, "etag": False}, "no calendar at that address (HTTP 404)"),
        (b"Oops", {"status": 503, "etag": False}, "failed (HTTP 503)"),
    ],
    ids=["html-login", "json", "empty", "binary", "50MB", "10000-events", "malformed-dates",
         "401", "404", "503"],
)
def test_a_hostile_feed_keeps_the_last_good_copy_with_one_clear_line(
    server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    body: bytes, kwargs: dict[str, object], problem: str,
) -> None:
    service = make_service(server, tmp_path / "state")
    good = service.refresh()
    server.serve(body, **kwargs)
    with caplog.at_level(logging.WARNING, logger="kiosk.calendar"):
        bad = service.refresh()
        again = service.refresh()
    assert bad.status.health is CalendarHealth.STALE
    assert problem in bad.status.problem
    assert "\n" not in bad.status.problem
    assert bad.status.updated == good.status.updated
    assert bad.agenda is not None and [m.subject for m in bad.agenda.meetings] == [
        "Stand-up", "Design review"]
    assert again.status.health is CalendarHealth.STALE
    warnings = [r.getMessage() for r in caplog.records
                if r.levelno >= logging.WARNING and r.name.startswith("kiosk.calendar")]
    assert len(warnings) == 1, warnings
    assert problem in warnings[0] and "showing the copy from" in warnings[0]
    assert "calendar.ics" not in warnings[0]  # the feed's address is a secret: host only
    assert problem in bad.status.summary(ZONE)


def test_a_restarted_room_shows_the_saved_copy_while_the_server_is_down(
    tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with FeedServer(tmp_path) as server:
        server.serve(GOOD)
        first = make_service(server, state)
        updated = first.refresh().status.updated
        url, bundle = server.url, server.ca_bundle
    # The server is gone now; a new process starts.
    source = IcsFeedSource(url, verify=str(bundle))
    restarted = CalendarService(source, CalendarCache(state), RULES, zone=ZONE, now=lambda: NOW)
    loaded = restarted.load_saved()
    assert loaded.status.health is CalendarHealth.OK
    assert loaded.status.updated == updated
    assert loaded.agenda is not None and loaded.agenda.meetings[0].joinable
    failed = restarted.refresh()
    assert failed.status.health is CalendarHealth.STALE
    assert "cannot reach the calendar server 127.0.0.1" in failed.status.problem
    assert failed.agenda is not None
    assert [m.subject for m in failed.agenda.meetings] == ["Stand-up", "Design review"]
    assert failed.status.updated == updated


def test_without_a_saved_copy_a_dead_server_says_so(tmp_path: Path) -> None:
    with FeedServer(tmp_path) as server:
        url, bundle = server.url, server.ca_bundle
    service = CalendarService(IcsFeedSource(url, verify=str(bundle)), CalendarCache(tmp_path),
                              RULES, zone=ZONE, now=lambda: NOW)
    assert service.load_saved().status.health is CalendarHealth.LOADING
    failed = service.refresh()
    assert failed.status.health is CalendarHealth.FAILED
    assert failed.agenda is None
    assert failed.status.summary(ZONE) == (
        "127.0.0.1: cannot reach the calendar server 127.0.0.1")


def test_the_saved_copy_is_private_and_belongs_to_its_source(
    server: FeedServer, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    make_service(server, state).refresh()
    directory = state / "calendar"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in ("last-good.ics", "last-good.json"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert "calendar.ics" not in (directory / "last-good.json").read_text()
    other = IcsFeedSource(server.url + "?other", verify=str(server.ca_bundle))
    assert CalendarCache(state).load(other.identity) is None


def test_a_cache_that_cannot_be_written_is_not_fatal(
    server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    service = make_service(server, blocker)
    with caplog.at_level(logging.WARNING):
        assert service.refresh().status.health is CalendarHealth.OK
        assert service.refresh().status.health is CalendarHealth.OK
    assert len([r for r in caplog.records if "cannot be saved" in r.getMessage()]) == 1


def test_refreshes_are_spread_out_and_roll_over_at_midnight(
    server: FeedServer, tmp_path: Path
) -> None:
    service = make_service(server, tmp_path, refresh_seconds=300.0, rng=random.Random(7))
    waits = [service.next_wait(failed=False) for _ in range(50)]
    assert all(270 <= w <= 330 for w in waits)
    assert len(set(waits)) > 40  # 500 rooms do not ask in step
    assert all(108 <= service.next_wait(failed=True) <= 132 for _ in range(20))
    late = CalendarService(IcsFeedSource(server.url, verify=str(server.ca_bundle)), None,
                           zone=ZONE, now=lambda: NOW.replace(hour=23, minute=59, second=0))
    assert late.next_wait(failed=False) <= 61.0
