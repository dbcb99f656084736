"""What the home screen shows of the day at each moment: the featured meeting and its Join,
"Free until", meetings dropping off, when the view changes next, and auto-join's turn."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kiosk.calendar.auto_join_policy import AutoJoinPolicy
from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.day_agenda import DayAgenda
from kiosk.calendar.dial_target import AddressResult, DialTarget
from kiosk.calendar.home_agenda import agenda_view

ZONE = ZoneInfo("Europe/Oslo")
DAY = dt.date(2025, 6, 11)
EARLY = dt.timedelta(minutes=5)


def at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2025, 6, 11, hour, minute, second, tzinfo=ZONE)


def meeting(key: str, start: dt.datetime, minutes: int = 60, joinable: bool = True
            ) -> CalendarMeeting:
    address = (AddressResult("pexip-uri", DialTarget(f"meet.{key}", "pexip-uri")) if joinable
               else AddressResult("zoom-sip", reason="Zoom meetings are joined through ..."))
    return CalendarMeeting(key=key, start=start, end=start + dt.timedelta(minutes=minutes),
                           subject=key.title(), organiser="Alice", private=False,
                           address=address)


AGENDA = DayAgenda(DAY, (
    meeting("planning", at(9)),
    meeting("zoom", at(11), 30, joinable=False),
    meeting("review", at(14)),
    meeting("retro", at(15)),
))


def test_free_time_before_the_first_meeting() -> None:
    view = agenda_view(AGENDA, at(8, 0), EARLY)
    assert view.featured is None and view.also_now == ()
    assert view.free_until == at(9)
    assert [m.key for m in view.later] == ["planning", "zoom", "review", "retro"]
    assert view.next_change == at(8, 55)  # Join appears five minutes early


def test_join_appears_early_and_counts_the_minutes() -> None:
    view = agenda_view(AGENDA, at(8, 55, 30), EARLY)
    assert view.featured is not None and view.featured.meeting.key == "planning"
    assert view.featured.can_join and view.featured.starts_in_minutes == 5
    assert not view.featured.running
    assert view.free_until is None
    assert [m.key for m in view.later] == ["zoom", "review", "retro"]
    assert view.next_change == at(8, 56)
    soon = agenda_view(AGENDA, at(8, 59, 1), EARLY).featured
    assert soon is not None and soon.starts_in_minutes == 1
    assert agenda_view(AGENDA, at(8, 54, 59), EARLY).featured is None


def test_a_running_meeting_keeps_its_join_until_it_ends_then_drops_off() -> None:
    view = agenda_view(AGENDA, at(9, 30), EARLY)
    assert view.featured is not None and view.featured.meeting.key == "planning"
    assert view.featured.can_join and view.featured.running
    assert view.next_change == at(10)
    after = agenda_view(AGENDA, at(10, 0), EARLY)
    assert after.featured is None
    assert "planning" not in [m.key for m in after.later]
    assert after.free_until == at(11)


def test_a_meeting_that_cannot_be_joined_is_shown_without_join() -> None:
    view = agenda_view(AGENDA, at(11, 10), EARLY)
    assert view.featured is not None and view.featured.meeting.key == "zoom"
    assert not view.featured.can_join
    assert view.free_until is None  # it is booked, even if the room cannot dial it


def test_back_to_back_the_next_meeting_takes_the_join_early() -> None:
    view = agenda_view(AGENDA, at(14, 56), EARLY)
    assert view.featured is not None and view.featured.meeting.key == "retro"
    assert view.featured.can_join and view.featured.starts_in_minutes == 4
    # The one ending in four minutes can still be joined, beside it.
    assert [(n.meeting.key, n.can_join) for n in view.also_now] == [("review", True)]
    assert view.later == ()


def test_a_running_meeting_stays_featured_when_the_next_can_be_joined_early() -> None:
    agenda = DayAgenda(DAY, (meeting("planning", at(9), 60), meeting("board", at(9, 14), 30)))
    view = agenda_view(agenda, at(9, 10), EARLY)
    assert view.featured is not None and view.featured.meeting.key == "planning"
    assert [(n.meeting.key, n.can_join, n.starts_in_minutes) for n in view.also_now] == [
        ("board", True, 4)]
    assert view.later == ()


def test_the_join_goes_to_a_joinable_meeting_before_a_booked_one() -> None:
    agenda = DayAgenda(DAY, (meeting("zoom", at(9), 60, joinable=False),
                             meeting("pexip", at(9, 58), 30)))
    view = agenda_view(agenda, at(9, 55), EARLY)
    assert view.featured is not None and view.featured.meeting.key == "pexip"
    assert [n.meeting.key for n in view.also_now] == ["zoom"]


def test_the_rest_of_the_day_is_free_after_the_last_meeting() -> None:
    view = agenda_view(AGENDA, at(16, 0), EARLY)
    assert view.featured is None and view.later == () and view.free_all_day
    assert view.next_change is None
    empty = agenda_view(DayAgenda(DAY), at(8), EARLY)
    assert empty.free_all_day and empty.featured is None
    assert agenda_view(None, at(8), EARLY) == agenda_view(None, at(9), EARLY)


def test_nothing_changes_between_two_moments_means_an_equal_view() -> None:
    # Between 10:00 and 10:55 nothing starts, ends or becomes joinable: nothing to redraw.
    assert agenda_view(AGENDA, at(10, 1), EARLY) == agenda_view(AGENDA, at(10, 40), EARLY)


def test_auto_join_is_offered_once_at_the_start() -> None:
    policy = AutoJoinPolicy()
    assert policy.due(agenda_view(AGENDA, at(8, 57), EARLY), at(8, 57)) is None  # early only
    due = policy.due(agenda_view(AGENDA, at(9, 0, 2), EARLY), at(9, 0, 2))
    assert due is not None and due.key == "planning"
    policy.mark_offered(due)
    assert policy.due(agenda_view(AGENDA, at(9, 1), EARLY), at(9, 1)) is None
    # Too long after the start, and never for a meeting the room cannot dial.
    assert policy.due(agenda_view(AGENDA, at(14, 6), EARLY), at(14, 6)) is None
    assert policy.due(agenda_view(AGENDA, at(11, 0), EARLY), at(11, 0)) is None
