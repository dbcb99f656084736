"""The room's meetings on one day, from the text of an iCalendar feed.

`icalendar` parses, `x-wr-timezone` repairs feeds that name their zone in
X-WR-TIMEZONE (Google), `recurring-ical-events` expands RRULE / RDATE / EXDATE
and moved instances (RECURRENCE-ID). Times come from the feed; a floating time
(or an unknown TZID) is the room's own. All-day events, cancelled events and
events the room itself declined are not meetings to join: they are counted,
not listed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import icalendar
import recurring_ical_events
import x_wr_timezone

from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.dial_target import AddressPolicy
from kiosk.calendar.feed_errors import UnreadableFeed
from kiosk.calendar.feed_window import check_and_cut
from kiosk.calendar.invitation_text import Invitation
from kiosk.calendar.meeting_address import find_meeting_address
from kiosk.calendar.meeting_rules import MeetingRule

log = logging.getLogger(__name__)

PRIVATE_CLASSES = frozenset({"PRIVATE", "CONFIDENTIAL"})
ROOM_TYPES = frozenset({"ROOM", "RESOURCE"})
# An event with a start and no end or duration: taken as half an hour, a usual booking.
DEFAULT_LENGTH = dt.timedelta(minutes=30)
TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")


@dataclass(frozen=True)
class DayAgenda:
    """The meetings of `day` in start order, and what was left out (and why)."""

    day: dt.date
    meetings: tuple[CalendarMeeting, ...] = ()
    all_day: int = 0
    cancelled: int = 0
    declined: int = 0
    unreadable: int = 0
    events_in_feed: int = 0


@dataclass(frozen=True)
class AgendaRules:
    """How invitations become addresses and what is shown: the room's settings."""

    policy: AddressPolicy = AddressPolicy()
    rules: tuple[MeetingRule, ...] = ()
    show_subjects: bool = True


DEFAULT_RULES = AgendaRules()


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def _organiser(component: Any) -> str:
    organiser = component.get("ORGANIZER")
    if organiser is None:
        return ""
    name = str(organiser.params.get("CN", "")).strip().strip('"')
    if name:
        return name
    address = str(organiser)
    return address.split(":", 1)[1] if address.lower().startswith("mailto:") else address


def _declined_by_room(component: Any) -> bool:
    attendees = component.get("ATTENDEE")
    if attendees is None:
        return False
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        params = getattr(attendee, "params", {})
        if str(params.get("CUTYPE", "")).upper() in ROOM_TYPES and (
                str(params.get("PARTSTAT", "")).upper() == "DECLINED"):
            return True
    return False


def _moment(value: Any, zone: dt.tzinfo) -> dt.datetime | dt.date | None:
    when = getattr(value, "dt", None)
    if isinstance(when, dt.datetime):
        return (when if when.tzinfo is not None else when.replace(tzinfo=zone)).astimezone(zone)
    if isinstance(when, dt.date):
        return when
    return None


def _has_time_errors(component: Any) -> bool:
    return any(name in TIME_PROPERTIES for name, _ in getattr(component, "errors", ()))


def parse_day(body: bytes, day: dt.date, zone: dt.tzinfo, rules: AgendaRules = DEFAULT_RULES
              ) -> DayAgenda:
    """The meetings of `day` (in `zone`) in the feed `body`.

    Raises NotICalendar, FeedTooLarge, or UnreadableFeed (events exist, but none
    of them could be read); a few unreadable events are only counted.
    """
    cut = check_and_cut(body, day, day)
    try:
        calendar = icalendar.Calendar.from_ical(cut.text)
    except ValueError as exc:
        raise UnreadableFeed(f"the calendar is not valid iCalendar ({_short(exc)})") from None
    if isinstance(calendar, list):  # several VCALENDARs in one file: the first is the feed
        calendar = calendar[0]
    broken = sum(1 for event in calendar.walk("VEVENT") if _has_time_errors(event))
    if cut.events_kept and broken == cut.events_kept:
        raise UnreadableFeed(f"none of the calendar's {cut.events_kept} events for the day "
                             "has readable dates")
    begin = dt.datetime.combine(day, dt.time(0), zone)
    end = begin + dt.timedelta(days=1)
    try:
        calendar = x_wr_timezone.to_standard(calendar)
        occurrences = recurring_ical_events.CalendarQuery(
            calendar, skip_bad_series=True).between(begin, end)
    except Exception as exc:  # the libraries' errors on hostile input are not all typed
        raise UnreadableFeed(f"the calendar's events cannot be expanded ({_short(exc)})"
                             ) from None
    return _agenda(day, occurrences, zone, rules, broken, cut.events_in_feed, begin, end)


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:120]}" if str(exc) else type(exc).__name__


def _agenda(day: dt.date, occurrences: Sequence[Any], zone: dt.tzinfo, rules: AgendaRules,
            broken: int, in_feed: int, begin: dt.datetime, end: dt.datetime) -> DayAgenda:
    counts = {"all_day": 0, "cancelled": 0, "declined": 0}
    meetings: dict[str, CalendarMeeting] = {}
    for event in occurrences:
        start = _moment(event.get("DTSTART"), zone)
        if start is None:
            continue
        if not isinstance(start, dt.datetime):
            counts["all_day"] += 1
            continue
        if _text(event, "STATUS").upper() == "CANCELLED":
            counts["cancelled"] += 1
            continue
        if _declined_by_room(event):
            counts["declined"] += 1
            continue
        finish = _moment(event.get("DTEND"), zone)
        if not isinstance(finish, dt.datetime) or finish < start:
            duration = getattr(event.get("DURATION"), "dt", None)
            finish = start + (duration if isinstance(duration, dt.timedelta) else DEFAULT_LENGTH)
        if finish <= begin or start >= end:
            continue
        key = f"{_text(event, 'UID')}|{start.isoformat()}"
        private = not rules.show_subjects or _text(event, "CLASS").upper() in PRIVATE_CLASSES
        meetings[key] = CalendarMeeting(
            key=key, start=start, end=finish, subject=_text(event, "SUMMARY"),
            organiser=_organiser(event), private=private,
            address=find_meeting_address(Invitation.from_component(event), rules.policy,
                                         rules.rules),
        )
    ordered = tuple(sorted(meetings.values(), key=lambda m: (m.start, m.end, m.key)))
    return DayAgenda(day=day, meetings=ordered, unreadable=broken, events_in_feed=in_feed,
                     **counts)
