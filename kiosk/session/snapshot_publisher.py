"""The session's current snapshot and the observers that are told of every change."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kiosk.session_state import SessionSnapshot

log = logging.getLogger(__name__)


class SnapshotPublisher:
    """Holds the current `SessionSnapshot`; `update` replaces it and calls the observers.

    Observers are called synchronously by `update`, so on the thread that updates
    (the session's loop). A failing observer is logged and does not stop the others.
    """

    def __init__(self) -> None:
        self._snapshot = SessionSnapshot()
        self._subscribers: list[Callable[[SessionSnapshot], None]] = []

    @property
    def snapshot(self) -> SessionSnapshot:
        """The current snapshot."""
        return self._snapshot

    def subscribe(self, callback: Callable[[SessionSnapshot], None]) -> Callable[[], None]:
        """Call `callback(snapshot)` after every change; returns unsubscribe."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def update(self, snapshot: SessionSnapshot | None = None, **changes: Any) -> None:
        """Replace the snapshot (`snapshot`, else the current one, with `changes`) and tell
        the observers, if anything changed."""
        new = replace(snapshot or self._snapshot, **changes)
        if new == self._snapshot:
            return
        if new.state is not self._snapshot.state:
            log.info("State %s -> %s", self._snapshot.state.value, new.state.value)
        self._snapshot = new
        for callback in list(self._subscribers):
            try:
                callback(new)
            except Exception:
                log.exception("A session observer failed")
