"""Keeps Home's agenda current without redrawing for nothing.

The view (`kiosk.calendar.home_agenda.agenda_view`) is computed again when the
calendar changes, at the moment the view says it will change (a Join appearing,
a meeting ending), and at the latest once a minute; Home is drawn only when the
view or the status line differs from the one on screen. With `KIOSK_AUTO_JOIN`,
`on_view` lets the app start the countdown when a meeting's turn comes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kivy.clock import Clock, ClockEvent

from kiosk.calendar.calendar_status import CalendarSnapshot, CalendarStatus
from kiosk.calendar.home_agenda import AgendaView, agenda_view
from kiosk.ui.calendar.calendar_feed import CalendarFeed

MAX_WAIT_SECONDS = 60.0
CHANGE_MARGIN_SECONDS = 0.05  # wake just after the moment, not a hair before it

Draw = Callable[[AgendaView, CalendarStatus], None]


def status_key(status: CalendarStatus) -> tuple[object, ...]:
    """What of the status shows on screen: its state, problem and minute of the last update
    (a refresh that only confirms the calendar changes nothing within the same minute)."""
    updated = status.updated.replace(second=0, microsecond=0) if status.updated else None
    return status.health, status.problem, updated


class AgendaPresenter:
    """Computes the view on time and hands it to `draw` when it changed."""

    def __init__(self, feed: CalendarFeed, early: dt.timedelta, draw: Draw,
                 on_view: Callable[[AgendaView, dt.datetime], None] | None = None) -> None:
        self._feed = feed
        self._early = early
        self._draw = draw
        self._on_view = on_view
        self._shown: tuple[object, ...] | None = None
        self._event: ClockEvent | None = None
        self.view = AgendaView()

    def calendar_changed(self, _snapshot: CalendarSnapshot) -> None:
        """The calendar published something: look again now."""
        self.refresh()

    def refresh(self, *_args: object) -> None:
        """Compute the view now, draw it when it changed, and plan the next look."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        now = self._feed.now()
        snapshot = self._feed.snapshot
        view = agenda_view(snapshot.agenda, now, self._early)
        self.view = view
        shown = (view, *status_key(snapshot.status))
        if shown != self._shown:
            self._shown = shown
            self._draw(view, snapshot.status)
        if self._on_view is not None:
            self._on_view(view, now)
        wait = MAX_WAIT_SECONDS
        if view.next_change is not None:
            wait = min(wait, (view.next_change - now).total_seconds() + CHANGE_MARGIN_SECONDS)
        self._event = Clock.schedule_once(self.refresh, max(CHANGE_MARGIN_SECONDS, wait))

    def stop(self) -> None:
        """No more looks (the app is ending)."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
