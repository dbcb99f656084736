"""Frame counting with a frames-per-second figure over a sliding window."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateMeter:
    """Counts events (frames) and reports their rate over the last `window` seconds."""

    def __init__(self, window: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._times: deque[float] = deque()
        self._count = 0
        self._last_size: tuple[int, int] | None = None

    @property
    def count(self) -> int:
        """Events counted since creation."""
        return self._count

    @property
    def last_size(self) -> tuple[int, int] | None:
        """The (width, height) given with the newest `tick`, if any."""
        return self._last_size

    def tick(self, size: tuple[int, int] | None = None) -> None:
        """Count one event now (optionally remembering the frame's size)."""
        now = self._clock()
        self._count += 1
        self._times.append(now)
        if size is not None:
            self._last_size = size
        self._forget_before(now - self._window)

    def rate(self) -> float:
        """Events per second over the window (0.0 with fewer than two events in it)."""
        now = self._clock()
        self._forget_before(now - self._window)
        if len(self._times) < 2:
            return 0.0
        # Intervals between the first and last event in the window: a steady 30 fps reads 30;
        # once events stop they leave the window and the rate falls to 0. A burst of frames
        # microseconds apart (a decoder catching up) is spread over a quarter of the window
        # at least: it once read 354 342 fps on the fleet dashboard.
        span = max(self._times[-1] - self._times[0], self._window / 4)
        return (len(self._times) - 1) / span

    def _forget_before(self, limit: float) -> None:
        while self._times and self._times[0] < limit:
            self._times.popleft()
