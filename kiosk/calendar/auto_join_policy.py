"""When the room joins a calendar meeting by itself (`KIOSK_AUTO_JOIN=true`).

At its start (and for a few minutes after, e.g. a room that was restarted), a
joinable meeting is offered once for an automatic join; the UI counts down 10 s
with a big Cancel. A meeting that was cancelled, or already joined by itself, is
never offered again. A meeting whose PIN the room does not have is still dialled:
the PIN screen then waits for the people in the room.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.home_agenda import AgendaView

COUNTDOWN_SECONDS = 10
LATE_START = dt.timedelta(minutes=5)  # how long after the start it still joins by itself


@dataclass
class AutoJoinPolicy:
    """Remembers which meetings were offered (by key) so each is offered at most once."""

    offered: set[str] = field(default_factory=set)

    def due(self, view: AgendaView, now: dt.datetime) -> CalendarMeeting | None:
        """The meeting to count down for now, or None."""
        if view.featured is None or not view.featured.can_join:
            return None
        meeting = view.featured.meeting
        if meeting.key in self.offered:
            return None
        if meeting.start <= now < min(meeting.start + LATE_START, meeting.end):
            return meeting
        return None

    def mark_offered(self, meeting: CalendarMeeting) -> None:
        """It was counted down for (joined or cancelled): never again."""
        self.offered.add(meeting.key)
