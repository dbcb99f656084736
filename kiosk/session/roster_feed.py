"""The roster for the UI: one immutable `RosterView` per batch of changes, not per event.

A node replays the whole roster on every event-stream (re)connect and a big
meeting sends bursts of updates; building and drawing a list per event would
stall a small device. `RosterFeed` marks the roster dirty on each change and
publishes at most once per BATCH_SECONDS (never in the middle of a replay).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable

from kiosk.infinity.models import Participant, Role
from kiosk.session.room_view import RosterEntry, RosterView
from kiosk.session.roster import NOT_IN_MEETING

log = logging.getLogger(__name__)

BATCH_SECONDS = 0.15


def build_view(participants: Iterable[Participant], own_uuid: str, version: int) -> RosterView:
    """The roster in display order (see `RosterView`)."""
    entries = [
        RosterEntry(
            uuid=p.uuid,
            name=p.display_name or p.uri or p.uuid[:8],
            is_host=p.role is Role.HOST,
            is_self=bool(own_uuid) and p.uuid == own_uuid,
            waiting=p.service_type == "waiting_room",
            muted=p.is_muted or p.is_client_muted,
            video_muted=p.is_video_muted,
            presenting=p.is_presenting,
            hand_raised=p.buzz_time > 0,
            hand_raised_at=p.buzz_time,
        )
        for p in participants
        # Callers still on a PIN screen or connecting are nobody the room can act on yet.
        if p.service_type not in NOT_IN_MEETING - {"waiting_room"}
    ]
    starts = {p.uuid: p.start_time or 0.0 for p in participants}

    def order(entry: RosterEntry) -> tuple[object, ...]:
        if entry.waiting:
            return (0, starts.get(entry.uuid, 0.0), entry.name.casefold())
        if entry.is_self:
            return (1, 0.0, "")
        if entry.hand_raised:
            return (2, entry.hand_raised_at, entry.name.casefold())
        return (3, 0.0, entry.name.casefold())

    entries.sort(key=order)
    return RosterView(entries=tuple(entries), version=version)


class RosterFeed:
    """Publishes `RosterView`s to subscribers on the loop, batched.

    `source()` gives the current participants, the own uuid and whether a replay is
    in progress; `changed()` is called on every roster event.
    """

    def __init__(self, source: Callable[[], tuple[tuple[Participant, ...], str, bool]],
                 batch_seconds: float = BATCH_SECONDS) -> None:
        self._source = source
        self._batch = batch_seconds
        self._subscribers: list[Callable[[RosterView], None]] = []
        self._pending: asyncio.TimerHandle | None = None
        self._version = 0
        self.view = RosterView()
        self.published = 0  # how many views were published (a burst should need few)

    def subscribe(self, callback: Callable[[RosterView], None]) -> Callable[[], None]:
        """Call `callback(view)` after each batch of changes; returns unsubscribe."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def changed(self) -> None:
        """The roster changed: publish soon (once for all changes until then)."""
        if self._pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._pending = loop.call_later(self._batch, self._flush_pending)

    def reset(self) -> None:
        """Forget the roster (the meeting was left): publish an empty view now."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._publish(RosterView(version=self._next_version()))

    def flush(self) -> None:
        """Publish the current roster now (unless a replay is still in progress)."""
        participants, own_uuid, syncing = self._source()
        if syncing:
            return  # sync_end calls changed() again
        self._publish(build_view(participants, own_uuid, self._next_version()))

    def _flush_pending(self) -> None:
        self._pending = None
        try:
            self.flush()
        except Exception:
            log.exception("Publishing the roster failed")

    def _next_version(self) -> int:
        self._version += 1
        return self._version

    def _publish(self, view: RosterView) -> None:
        if view.entries == self.view.entries and self.view.version:
            return
        self.view = view
        self.published += 1
        for callback in list(self._subscribers):
            try:
                callback(view)
            except Exception:
                log.exception("A roster observer failed")
