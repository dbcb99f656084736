"""The secrets (PINs, tokens) that must never reach a log line, each with its lifetime.

A long meeting refreshes its token every `expires/2` seconds: with 4 s tokens
that is one new secret every 2 s, for hours. Keeping them all, or compiling a
regular expression per new set (Python's `re` caches up to 512 compiled
patterns), grows the process slowly for as long as the meeting lasts. Here:

- a secret may have a lifetime (a token: its `expires`); once it is over the
  secret is dropped at the next look-up: a token the node no longer accepts
  is worth nothing;
- the session says when a token is superseded by a new one (`supersede`): the
  old one is kept only for `SUPERSEDED_GRACE` more seconds (requests still in
  flight with it may log);
- the ordered tuple that `redact` scans is rebuilt only when the set changes,
  and the scan is plain substring search (no pattern is compiled or cached).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

SUPERSEDED_GRACE = 10.0
LIFETIME_SLACK = 5.0  # the node's clock and ours: keep a token a little past its expiry
DEFAULT_MAX_SECRETS = 256


class KnownSecrets:
    """A thread-safe set of secret strings with optional expiry times (monotonic clock)."""

    def __init__(
        self,
        max_secrets: int = DEFAULT_MAX_SECRETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_secrets = max_secrets
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: OrderedDict[str, float | None] = OrderedDict()  # oldest first
        self._ordered: tuple[str, ...] = ()  # longest first: what `current()` returns
        self._next_expiry: float | None = None
        self.rebuilds = 0  # how often the scanned tuple was rebuilt (for tests and benches)

    def __len__(self) -> int:
        return len(self.current())

    def add(self, value: str, lifetime: float | None = None) -> None:
        """Know `value` (blank ones are ignored); `lifetime` in seconds, None = until discarded.

        Adding a known value again with a lifetime sets its lifetime anew (the client
        registers a token the moment it arrives, the session then says how long it
        lives); without one it changes nothing.
        """
        if not isinstance(value, str) or not value.strip():
            return
        expiry = None if lifetime is None else self._clock() + lifetime + LIFETIME_SLACK
        with self._lock:
            known = value in self._expiry
            if known:
                if expiry is not None:
                    self._expiry[value] = expiry
            else:
                self._expiry[value] = expiry
                while len(self._expiry) > self._max_secrets:
                    self._expiry.popitem(last=False)
            self._changed(rebuild=not known)

    def supersede(self, old: str, new: str, lifetime: float | None = None,
                  grace: float = SUPERSEDED_GRACE) -> None:
        """`new` replaces `old` (a refreshed token): `old` is kept only `grace` seconds more."""
        self.add(new, lifetime)
        if old == new:
            return
        with self._lock:
            if old in self._expiry:
                deadline = self._clock() + grace
                current = self._expiry[old]
                self._expiry[old] = deadline if current is None else min(current, deadline)
                self._changed(rebuild=False)

    def discard(self, value: str) -> None:
        """Forget `value` now (no error if unknown)."""
        with self._lock:
            if self._expiry.pop(value, False) is not False:
                self._changed(rebuild=True)

    def current(self) -> tuple[str, ...]:
        """The secrets still alive, longest first (a secret containing another is hit whole)."""
        now = self._clock()
        with self._lock:
            if self._next_expiry is not None and now >= self._next_expiry:
                for value, expiry in list(self._expiry.items()):
                    if expiry is not None and expiry <= now:
                        del self._expiry[value]
                self._changed(rebuild=True)
            return self._ordered

    def _changed(self, rebuild: bool) -> None:
        """Called with the lock held after any change."""
        expiries = [e for e in self._expiry.values() if e is not None]
        self._next_expiry = min(expiries) if expiries else None
        if rebuild:
            self._ordered = tuple(sorted(self._expiry, key=len, reverse=True))
            self.rebuilds += 1
