"""The room's calendar running beside the app: the background service on the app's loop,
and joining a calendar meeting through the session.

Everything blocking (HTTP, parsing, DNS, node status checks) runs in worker
threads (`kiosk.calendar.calendar_service`, `asyncio.to_thread`); snapshots
reach `on_change` on the loop thread, where Kivy may draw them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable

from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.calendar_service import CalendarService
from kiosk.calendar.calendar_status import CalendarSnapshot
from kiosk.calendar.join_plan import join_request_for
from kiosk.calendar.local_zone import local_zone
from kiosk.calendar.node_discovery import NodeDiscovery
from kiosk.calendar.room_calendar import calendar_service, node_discovery
from kiosk.config import Settings
from kiosk.session.join_request import JoinRequest

log = logging.getLogger(__name__)


class CalendarFeed:
    """The calendar of one app run; `service` None when the room has no calendar."""

    def __init__(self, service: CalendarService | None, discovery: NodeDiscovery | None,
                 zone: dt.tzinfo | None = None) -> None:
        self.service = service
        self._discovery = discovery
        self._zone = zone or (service.zone if service is not None else local_zone())
        self._task: asyncio.Task[None] | None = None
        self._snapshot = service.snapshot if service is not None else CalendarSnapshot()

    @classmethod
    def from_settings(cls, settings: Settings) -> CalendarFeed:
        """The calendar the settings describe (none when no calendar is configured)."""
        service = calendar_service(settings)
        discovery = node_discovery(settings) if settings.calendar.meeting_domains else None
        return cls(service, discovery)

    @property
    def enabled(self) -> bool:
        """True when the room has a calendar."""
        return self.service is not None

    @property
    def snapshot(self) -> CalendarSnapshot:
        """The newest status and agenda."""
        return self._snapshot

    @property
    def zone(self) -> dt.tzinfo:
        """The room's time zone."""
        return self._zone

    def now(self) -> dt.datetime:
        """The room's time now (aware)."""
        return dt.datetime.now(self._zone)

    def start(self, on_change: Callable[[CalendarSnapshot], None]) -> None:
        """Read the calendar in the background from now on (on the running loop)."""
        if self.service is None or self._task is not None:
            return

        def publish(snapshot: CalendarSnapshot) -> None:
            self._snapshot = snapshot
            on_change(snapshot)

        self._task = asyncio.ensure_future(self._run(self.service, publish))

    @staticmethod
    async def _run(service: CalendarService,
                   publish: Callable[[CalendarSnapshot], None]) -> None:
        try:
            await service.run(publish)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The service never raises by design; if it ever does, the room goes on without.
            log.exception("The calendar stopped")

    def cancel(self) -> None:
        """Stop reading (the app is ending); a read under way ends within its deadline."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def stop(self) -> None:
        """`cancel()`, and wait until the background task has ended."""
        task = self._task
        self.cancel()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def join_request(self, meeting: CalendarMeeting) -> JoinRequest | None:
        """What the session joins for `meeting` (the node looked up in a worker thread);
        None when it cannot be joined."""
        target = meeting.address.target
        if target is None:
            return None
        return await asyncio.to_thread(join_request_for, target, self._discovery)
