"""How the room's calendar is doing, for the status line, the admin screen and the log."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from kiosk.calendar.day_agenda import DayAgenda


class CalendarHealth(enum.Enum):
    """The calendar's state as the room sees it."""

    OFF = "off"  # no calendar configured
    LOADING = "loading"  # not read yet, and no saved copy
    OK = "ok"  # the copy in use is current (or the first read is still to come)
    STALE = "stale"  # the last read failed: the last good copy is in use
    FAILED = "failed"  # the last read failed and there is no good copy


@dataclass(frozen=True)
class CalendarStatus:
    """`updated`: when the copy in use was last confirmed current; `problem`: why the last
    read failed, one line ("" when it did not)."""

    health: CalendarHealth = CalendarHealth.OFF
    source: str = ""
    updated: dt.datetime | None = None
    problem: str = ""

    def summary(self, zone: dt.tzinfo | None = None) -> str:
        """One line for the admin screen, e.g. "calendar.example.com: updated 14:05"."""
        where = self.source or "calendar"
        when = self.updated.astimezone(zone).strftime("%H:%M") if self.updated else ""
        if self.health is CalendarHealth.OFF:
            return "No calendar configured"
        if self.health is CalendarHealth.LOADING:
            return f"{where}: reading…"
        if self.health is CalendarHealth.OK:
            return f"{where}: updated {when}"
        if self.health is CalendarHealth.STALE:
            return f"{where}: {self.problem}; showing the copy from {when}"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class CalendarSnapshot:
    """What observers get after every change: the status and today's agenda (None until a
    calendar has been read)."""

    status: CalendarStatus = CalendarStatus()
    agenda: DayAgenda | None = None
