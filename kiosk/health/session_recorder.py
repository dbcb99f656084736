"""Turns the session's snapshots into metrics and remembers the last error.

The session publishes a `SessionSnapshot` after every change; counting happens
on the transitions between snapshots (a join starts, reaches the meeting, ends).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.health.metrics import KioskMetrics
from kiosk.session_state import ErrorCode, SessionError, SessionSnapshot, SessionState

# States in which no join is under way.
_AT_REST = frozenset({SessionState.IDLE, SessionState.ERROR})


@dataclass(frozen=True)
class RecordedError:
    """The last error the session showed, and when (wall-clock seconds since the epoch)."""

    error: SessionError
    at: float


class SessionMetricsRecorder:
    """A session observer that updates `KioskMetrics`.

    - a join attempt starts when the session leaves IDLE/ERROR;
    - it becomes a call when the room reaches the meeting or its waiting room;
    - an attempt that ends in ERROR before that is a join failure (by error code);
    - a call that ends is counted by reason (`left`, or the error code) and timed.
    Attempts that go back to IDLE without a call were abandoned at a prompt.
    """

    def __init__(
        self,
        metrics: KioskMetrics,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._metrics = metrics
        self._clock = clock
        self._wall_clock = wall_clock
        self._previous = SessionSnapshot()
        self._call_started: float | None = None
        self._token_refreshes_seen = 0
        self._last_error: RecordedError | None = None

    @property
    def last_error(self) -> RecordedError | None:
        """The most recent error shown by the session (kept after it returns to IDLE)."""
        return self._last_error

    def attach(self, subscribe: Callable[[Callable[[SessionSnapshot], None]], Callable[[], None]],
               current: SessionSnapshot | None = None) -> Callable[[], None]:
        """Subscribe (e.g. `session.subscribe`) and record `current` first; returns unsubscribe."""
        if current is not None:
            self.on_snapshot(current)
        return subscribe(self.on_snapshot)

    def on_snapshot(self, snapshot: SessionSnapshot) -> None:
        """Record one published snapshot."""
        previous, self._previous = self._previous, snapshot
        metrics = self._metrics
        metrics.set_state(snapshot.state)
        metrics.set_device_state("camera", snapshot.camera.state)
        metrics.set_device_state("microphone", snapshot.microphone.state)
        metrics.set_device_state("speaker", snapshot.speaker.state)
        self._record_token_refreshes(snapshot.token_refreshes)
        if snapshot.error is not None and snapshot.error != previous.error:
            self._last_error = RecordedError(snapshot.error, self._wall_clock())
            metrics.set_last_error(snapshot.error.code.value, self._last_error.at)

        if previous.state in _AT_REST and snapshot.state not in _AT_REST:
            metrics.join_attempts.inc()
        if snapshot.in_call and self._call_started is None:
            metrics.calls.inc()
            self._call_started = self._clock()
        if snapshot.state in _AT_REST and previous.state not in _AT_REST:
            self._record_end(snapshot)

    def _record_end(self, snapshot: SessionSnapshot) -> None:
        error = snapshot.error if snapshot.state is SessionState.ERROR else None
        if error is not None and error.code is ErrorCode.TOKEN_EXPIRED:
            self._metrics.token_refresh_failures.inc()
        if self._call_started is not None:
            reason = error.code.value if error is not None else "left"
            self._metrics.calls_ended.labels(reason=reason).inc()
            self._metrics.call_duration.observe(max(0.0, self._clock() - self._call_started))
            self._call_started = None
        elif error is not None:
            self._metrics.join_failures.labels(reason=error.code.value).inc()

    def _record_token_refreshes(self, count: int) -> None:
        # The count restarts at 0 with every new join.
        if count < self._token_refreshes_seen:
            self._token_refreshes_seen = 0
        if count > self._token_refreshes_seen:
            self._metrics.token_refreshes.inc(count - self._token_refreshes_seen)
            self._token_refreshes_seen = count
