"""What the home screen shows of today's agenda at one moment (plain data, no Kivy).

`agenda_view(agenda, now, early)` picks the meeting to feature (the one whose
Join is the biggest thing on the screen), the other meetings that run or can be
joined now, the meetings later today, the free time ("Free until 14:00"), and
when the view will next change, so the screen redraws only then (and, while a
meeting is about to start, once a minute for "in 4 min"). Equal views mean
nothing to redraw.

The featured meeting is the running one that people came for; in its last
`early` minutes (back to back), the next meeting takes over, and one about to
start is featured when nothing runs.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.day_agenda import DayAgenda

MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NowMeeting:
    """A meeting of the moment: whether its Join shows, and whole minutes (rounded up)
    until it starts (0 once it runs)."""

    meeting: CalendarMeeting
    can_join: bool
    starts_in_minutes: int = 0

    @property
    def running(self) -> bool:
        """True once it has started."""
        return self.starts_in_minutes == 0


@dataclass(frozen=True)
class AgendaView:
    """The agenda as shown. `free_until`: the next meeting's start when nothing runs or
    is about to; `free_all_day`: nothing runs now and nothing follows today."""

    featured: NowMeeting | None = None
    also_now: tuple[NowMeeting, ...] = ()
    later: tuple[CalendarMeeting, ...] = ()
    free_until: dt.datetime | None = None
    free_all_day: bool = False
    next_change: dt.datetime | None = None


def _now_meeting(meeting: CalendarMeeting, now: dt.datetime, early: dt.timedelta) -> NowMeeting:
    minutes = 0 if meeting.start <= now else max(1, math.ceil((meeting.start - now) / MINUTE))
    return NowMeeting(meeting, meeting.can_join_at(now, early), minutes)


def _pick(moment: list[NowMeeting], now: dt.datetime, early: dt.timedelta) -> NowMeeting | None:
    def rank(item: NowMeeting) -> tuple[int, int, float, str]:
        meeting = item.meeting
        if item.running and meeting.end > now + early:
            group, order = 0, -meeting.start.timestamp()  # running: the latest to start
        elif not item.running:
            group, order = 1, meeting.start.timestamp()  # about to start: the soonest
        else:
            group, order = 2, -meeting.start.timestamp()  # in its last minutes
        return (0 if item.can_join else 1, group, order, meeting.key)

    return min(moment, key=rank, default=None)


def _next_change(meetings: list[CalendarMeeting], now: dt.datetime, early: dt.timedelta,
                 counting: bool) -> dt.datetime | None:
    moments = [t for m in meetings for t in (m.start - early, m.start, m.end) if t > now]
    if counting:
        moments.append(now.replace(second=0, microsecond=0) + MINUTE)  # "starts in N min"
    return min(moments, default=None)


def agenda_view(agenda: DayAgenda | None, now: dt.datetime, early: dt.timedelta) -> AgendaView:
    """The view of `agenda` at `now` (aware); ended meetings have dropped off."""
    if agenda is None:
        return AgendaView()
    current = [m for m in agenda.meetings if not m.is_over(now)]
    moment = [_now_meeting(m, now, early) for m in current
              if m.is_running(now) or now < m.start <= now + early]
    featured = _pick(moment, now, early)
    also_now = tuple(item for item in moment if item is not featured)
    shown_now = {item.meeting.key for item in moment}
    later = tuple(m for m in current if m.key not in shown_now)
    free_until = later[0].start if not moment and later else None
    return AgendaView(
        featured=featured, also_now=also_now, later=later, free_until=free_until,
        free_all_day=not moment and not later,
        next_change=_next_change(current, now, early,
                                 any(not item.running for item in moment)))
