"""The room's calendar kept current in the background: read every
`KIOSK_CALENDAR_REFRESH_SECONDS` (with jitter), checked, saved, turned into today's agenda.

`refresh()` and `agenda_for()` block (HTTP, parsing): the asyncio `run()` loop
calls them in a worker thread and hands each new `CalendarSnapshot` to its
observer on the loop. A read that fails, or a feed that is not a usable
calendar, leaves the last good copy in use (from memory, or from the disk after
a restart) and says why in one log line, the first time each problem appears.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import threading
from collections.abc import Callable

from kiosk.calendar.calendar_cache import CachedFeed, CalendarCache
from kiosk.calendar.calendar_status import CalendarHealth, CalendarSnapshot, CalendarStatus
from kiosk.calendar.day_agenda import DEFAULT_RULES, AgendaRules, DayAgenda, parse_day
from kiosk.calendar.feed_errors import CalendarError
from kiosk.calendar.feed_source import CalendarSource, Validators
from kiosk.calendar.local_zone import local_zone

log = logging.getLogger(__name__)

JITTER = 0.1  # each wait varies by up to ±10 %
RETRY_SECONDS = 120.0  # after a failed read, try again sooner than the usual interval
MIDNIGHT_MARGIN = 1.0  # seconds after midnight to roll over to the new day


class CalendarService:
    """Reads `source`, keeps its last good copy in `cache`, and publishes today's agenda."""

    def __init__(
        self,
        source: CalendarSource,
        cache: CalendarCache | None,
        rules: AgendaRules = DEFAULT_RULES,
        refresh_seconds: float = 300.0,
        zone: dt.tzinfo | None = None,
        now: Callable[[], dt.datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._source = source
        self._cache = cache
        self._rules = rules
        self._refresh_seconds = refresh_seconds
        self._zone = zone or local_zone()
        self._now = now or (lambda: dt.datetime.now(self._zone))
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._good: CachedFeed | None = None
        self._snapshot = CalendarSnapshot(CalendarStatus(CalendarHealth.LOADING,
                                                         source.description))
        self._logged_problem = ""

    # ------------------------------------------------------------------ state

    @property
    def snapshot(self) -> CalendarSnapshot:
        """The status and today's agenda as last computed."""
        with self._lock:
            return self._snapshot

    @property
    def zone(self) -> dt.tzinfo:
        """The room's time zone (agenda days and times are in it)."""
        return self._zone

    def _today(self) -> dt.date:
        return self._now().astimezone(self._zone).date()

    def _publish(self, status: CalendarStatus, agenda: DayAgenda | None) -> CalendarSnapshot:
        snapshot = CalendarSnapshot(status, agenda)
        with self._lock:
            self._snapshot = snapshot
        return snapshot

    # ------------------------------------------------------------------ blocking work

    def load_saved(self) -> CalendarSnapshot:
        """Start from the copy saved on disk, if there is a usable one for this source."""
        if self._cache is None:
            return self.snapshot
        saved = self._cache.load(self._source.identity)
        if saved is None:
            return self.snapshot
        try:
            agenda = parse_day(saved.body, self._today(), self._zone, self._rules)
        except CalendarError as exc:
            log.warning("The saved calendar is not usable (%s); it is ignored", exc)
            return self.snapshot
        self._good = saved
        log.info("Calendar: using the copy saved at %s until %s answers",
                 saved.updated.astimezone(self._zone).strftime("%H:%M"),
                 self._source.description)
        return self._publish(CalendarStatus(CalendarHealth.OK, self._source.description,
                                            saved.updated), agenda)

    def refresh(self) -> CalendarSnapshot:
        """Read the source once (conditionally), and publish what follows. Never raises."""
        good = self._good
        validators = good.validators if good is not None else Validators()
        where = self._source.description
        try:
            reply = self._source.fetch(validators)
            now = dt.datetime.now(dt.UTC)
            if not reply.changed and good is not None:
                agenda = self._current_agenda(good)
                fresh = CachedFeed(good.source, good.body, now, reply.validators)
                self._keep(fresh, body_changed=False)
            else:
                agenda = parse_day(reply.body, self._today(), self._zone, self._rules)
                fresh = CachedFeed(self._source.identity, reply.body, now, reply.validators)
                self._keep(fresh, body_changed=True)
        except CalendarError as exc:
            return self._failed(str(exc))
        except Exception as exc:  # a bug must not stop the room's calendar for good
            log.exception("Calendar: unexpected failure reading %s", where)
            return self._failed(f"unexpected error ({type(exc).__name__})")
        if self._logged_problem:
            log.info("Calendar: %s answers again", where)
            self._logged_problem = ""
        return self._publish(CalendarStatus(CalendarHealth.OK, where, fresh.updated), agenda)

    def _keep(self, fresh: CachedFeed, body_changed: bool) -> None:
        self._good = fresh
        if self._cache is not None:
            self._cache.store(fresh, body_changed=body_changed)

    def _current_agenda(self, good: CachedFeed) -> DayAgenda:
        agenda = self.snapshot.agenda
        if agenda is not None and agenda.day == self._today():
            return agenda
        return parse_day(good.body, self._today(), self._zone, self._rules)

    def _failed(self, problem: str) -> CalendarSnapshot:
        where = self._source.description
        good = self._good
        if problem != self._logged_problem:
            kept = (f"showing the copy from "
                    f"{good.updated.astimezone(self._zone).strftime('%H:%M')}"
                    if good is not None else "no calendar to show")
            log.warning("Calendar (%s): %s; %s", where, problem, kept)
            self._logged_problem = problem
        if good is None:
            return self._publish(CalendarStatus(CalendarHealth.FAILED, where, None, problem),
                                 None)
        agenda = self.snapshot.agenda
        if agenda is None or agenda.day != self._today():
            try:
                agenda = parse_day(good.body, self._today(), self._zone, self._rules)
            except CalendarError:
                agenda = None
        return self._publish(CalendarStatus(CalendarHealth.STALE, where, good.updated, problem),
                             agenda)

    def roll_over(self) -> CalendarSnapshot:
        """Recompute the agenda when the day has changed since it was made (no read)."""
        snapshot = self.snapshot
        good = self._good
        if good is None or (snapshot.agenda is not None and snapshot.agenda.day == self._today()):
            return snapshot
        try:
            agenda = parse_day(good.body, self._today(), self._zone, self._rules)
        except CalendarError as exc:
            return self._failed(str(exc))
        return self._publish(snapshot.status, agenda)

    # ------------------------------------------------------------------ background loop

    def next_wait(self, failed: bool) -> float:
        """Seconds until the next read: the interval (shorter after a failure), ±10 %, and
        never past the next midnight (the agenda rolls over then)."""
        base = min(self._refresh_seconds, RETRY_SECONDS) if failed else self._refresh_seconds
        wait = base * self._rng.uniform(1 - JITTER, 1 + JITTER)
        now = self._now().astimezone(self._zone)
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0), self._zone)
        return max(1.0, min(wait, (midnight - now).total_seconds() + MIDNIGHT_MARGIN))

    async def run(self, publish: Callable[[CalendarSnapshot], None]) -> None:
        """Load the saved copy, then read and publish until cancelled (on the loop thread)."""
        publish(await asyncio.to_thread(self.load_saved))
        while True:
            snapshot = await asyncio.to_thread(self.refresh)
            publish(snapshot)
            failed = snapshot.status.health in (CalendarHealth.STALE, CalendarHealth.FAILED)
            await asyncio.sleep(self.next_wait(failed))
            rolled = await asyncio.to_thread(self.roll_over)
            if rolled is not snapshot:
                publish(rolled)
