"""Test helper: record a ConferenceSession's snapshots and wait for a condition."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from kiosk.conference import ConferenceSession
from kiosk.session_state import SessionSnapshot, SessionState

# How long a test waits for something that normally takes well under a second.
WAIT_TIMEOUT = 10.0


class SessionWatch:
    """Subscribes to a session; remembers every snapshot and the thread it arrived on."""

    def __init__(self, session: ConferenceSession) -> None:
        self.session = session
        self.snapshots: list[SessionSnapshot] = []
        self.threads: set[int] = set()
        self._changed = asyncio.Event()
        self.unsubscribe = session.subscribe(self._on_snapshot)

    def _on_snapshot(self, snapshot: SessionSnapshot) -> None:
        self.snapshots.append(snapshot)
        self.threads.add(threading.get_ident())
        self._changed.set()

    @property
    def states(self) -> list[SessionState]:
        """The states passed, in order, without repeats."""
        states: list[SessionState] = []
        for snapshot in self.snapshots:
            if not states or states[-1] is not snapshot.state:
                states.append(snapshot.state)
        return states

    def values(self, field: str, since: int = 0) -> list[object]:
        """The values `field` took from snapshot number `since` on, in order, without repeats."""
        values: list[object] = []
        for snapshot in self.snapshots[since:]:
            value = getattr(snapshot, field)
            if not values or values[-1] != value:
                values.append(value)
        return values

    @property
    def notices(self) -> list[str]:
        """Every distinct non-empty notice shown, in order."""
        notices: list[str] = []
        for snapshot in self.snapshots:
            if snapshot.notice and (not notices or notices[-1] != snapshot.notice):
                notices.append(snapshot.notice)
        return notices

    async def until(self, predicate: Callable[[SessionSnapshot], bool],
                    timeout: float = WAIT_TIMEOUT, what: str = "condition") -> SessionSnapshot:
        """Wait until `predicate(snapshot)` holds; AssertionError with the history on timeout.

        The timeout only bounds a hang: it is generous so that a loaded CI machine passes.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self.session.snapshot):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out waiting for {what}; now {self.session.snapshot}; "
                    f"states {[s.value for s in self.states]}"
                )
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue
        return self.session.snapshot

    async def state(self, *states: SessionState,
                    timeout: float = WAIT_TIMEOUT) -> SessionSnapshot:
        """Wait until the session is in one of `states`."""
        names = "/".join(s.value for s in states)
        return await self.until(lambda s: s.state in states, timeout, names)
