"""Exponential backoff delays for reconnecting (event stream) and retrying."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays that start at `initial` and double up to `maximum`; `reset()` starts over.

    One instance belongs to one retry loop (it is not shared between threads).
    """

    initial: float = 0.5
    maximum: float = 10.0
    factor: float = 2.0
    _next: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum < self.initial or self.factor < 1:
            raise ValueError("Backoff needs 0 < initial <= maximum and factor >= 1")
        self._next = self.initial

    def next_delay(self) -> float:
        """The delay to wait now; the following one will be longer (up to `maximum`)."""
        delay = self._next
        self._next = min(self._next * self.factor, self.maximum)
        return delay

    def reset(self) -> None:
        """Start again from `initial` (after a connection that worked)."""
        self._next = self.initial
