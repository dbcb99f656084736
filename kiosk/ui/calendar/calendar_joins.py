"""Joining from the room's calendar: Home's one-tap Join and KIOSK_AUTO_JOIN's countdown.

Screens reach it as `app.calendar_joins`: the big Join of a calendar meeting calls
`join(meeting)`, Cancel on the countdown `cancel_auto_join()`. It remembers the
calendar's join request (meeting number, PIN, node) so Try again on the Error
screen repeats it, and the meeting's subject as its title.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.calendar.auto_join_policy import AutoJoinPolicy
from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.home_agenda import AgendaView
from kiosk.session.join_request import JoinRequest
from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.actions.task_runner import TaskRunner
from kiosk.ui.calendar.auto_join_countdown import AutoJoinCountdown
from kiosk.ui.calendar.calendar_feed import CalendarFeed
from kiosk.ui.navigation.screen_router import LocalMode
from kiosk.ui.navigation.ui_state import UiState
from kiosk.ui.session_port import SessionPort

log = logging.getLogger(__name__)

_NOT_IN_A_MEETING = (SessionState.IDLE, SessionState.ERROR)


@dataclass(frozen=True)
class CalendarJoinHooks:
    """What the calendar's joins need of the app: its words and Home's countdown."""

    subject: Callable[[CalendarMeeting], str]  # the meeting's name as the room shows it
    show_countdown: Callable[[str, int], None]  # Home's countdown (name, seconds; 0 hides)
    wake: Callable[[], None]  # leave the idle screen


class CalendarJoins:
    """Joins calendar meetings on the session, by tap or after the auto-join countdown."""

    def __init__(self, feed: CalendarFeed, session: SessionPort, runner: TaskRunner,
                 ui: UiState, hooks: CalendarJoinHooks) -> None:
        self._feed = feed
        self._session = session
        self._runner = runner
        self._ui = ui
        self._hooks = hooks
        self.auto_join = AutoJoinPolicy()
        self.countdown = AutoJoinCountdown(self._countdown_tick, self._countdown_done)
        self._titles: dict[str, str] = {}
        self._pending = False
        self._running = False
        self._last_request: JoinRequest | None = None

    def title(self, alias: str) -> str | None:
        """The subject of the calendar meeting joined at `alias`, if one was."""
        return self._titles.get(alias)

    def retry_request(self, alias: str) -> JoinRequest | None:
        """The calendar's request for `alias` when the last join came from the calendar."""
        request = self._last_request
        return request if request is not None and request.alias == alias else None

    def follow(self, previous: SessionSnapshot, snapshot: SessionSnapshot) -> None:
        """The session moved on: forget the calendar's request when a join came from
        elsewhere (settings or the keypad); a meeting in progress ends the countdown."""
        if snapshot.state is SessionState.CONNECTING and previous.state in _NOT_IN_A_MEETING \
                and not self._running:
            self._last_request = None
        if snapshot.state not in _NOT_IN_A_MEETING:
            self.countdown.cancel()

    def join(self, meeting: CalendarMeeting) -> None:
        """The big Join of a calendar meeting (or the end of the auto-join countdown)."""
        if self._pending or meeting.address.target is None:
            return
        if self._ui.snapshot.state not in _NOT_IN_A_MEETING:
            return
        self._pending = True
        self._runner.run("calendar join", self._join(meeting))

    async def _join(self, meeting: CalendarMeeting) -> None:
        try:
            # The node may be looked up in DNS first: in a worker thread, never on the UI.
            request = await self._feed.join_request(meeting)
        finally:
            self._pending = False
        if request is None:
            return
        self._titles[request.alias] = self._hooks.subject(meeting)
        self._last_request = request
        self._running = True
        try:
            await self._session.join_request(request)
        finally:
            self._running = False

    def consider_auto_join(self, view: AgendaView, now: dt.datetime) -> None:
        """KIOSK_AUTO_JOIN: count down for the meeting whose start has come."""
        if self.countdown.meeting is not None or self._ui.snapshot.state is not SessionState.IDLE:
            return
        if self._ui.mode not in (LocalMode.HOME, LocalMode.IDLE):
            return  # someone is typing a meeting ID or in the admin screens: leave them be
        meeting = self.auto_join.due(view, now)
        if meeting is None:
            return
        self.auto_join.mark_offered(meeting)
        log.info("Auto-join: counting down for the meeting starting at %s",
                 meeting.start.strftime("%H:%M"))
        self._hooks.wake()
        self.countdown.start(meeting)

    def _countdown_tick(self, meeting: CalendarMeeting | None, seconds: int) -> None:
        self._hooks.show_countdown(self._hooks.subject(meeting) if meeting is not None else "",
                                   seconds)

    def _countdown_done(self, meeting: CalendarMeeting) -> None:
        log.info("Auto-join: joining")
        self.join(meeting)

    def cancel_auto_join(self) -> None:
        """Cancel on the countdown: the room stays on Home (and is not asked again)."""
        if self.countdown.meeting is not None:
            log.info("Auto-join: cancelled in the room")
        self.countdown.cancel()

    def stop(self) -> None:
        """The app stops: no countdown may fire after it."""
        self.countdown.cancel()
