"""The tokens a simulated node has handed out, and which participant each one belongs to.

A refreshed token replaces the old one, which stays usable for a short grace
(requests already in flight). Tokens of a participant who has left are
remembered for the same grace so a late `release_token` still succeeds.
Tokens are opaque random strings and are never logged.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Grant:
    participant_uuid: str
    valid_until: float | None = None  # None: the participant's current token


class TokenRegistry:
    """Issue, rotate, look up and revoke participant tokens."""

    def __init__(self, grace: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._grace = grace
        self._clock = clock
        self._grants: dict[str, _Grant] = {}
        self._current: dict[str, str] = {}
        self._departed: dict[str, float] = {}

    def issue(self, participant_uuid: str) -> str:
        """A new current token for the participant."""
        token = secrets.token_urlsafe(32)
        self._grants[token] = _Grant(participant_uuid)
        self._current[participant_uuid] = token
        return token

    def rotate(self, participant_uuid: str) -> str:
        """Replace the participant's token; the old one ends after the grace period."""
        old = self._current.get(participant_uuid)
        if old is not None and old in self._grants:
            self._grants[old].valid_until = self._clock() + self._grace
        return self.issue(participant_uuid)

    def participant_for(self, token: str | None) -> str | None:
        """The participant a still-valid token belongs to, else None."""
        if not token:
            return None
        grant = self._grants.get(token)
        if grant is None:
            return None
        if grant.valid_until is not None and self._clock() >= grant.valid_until:
            del self._grants[token]
            return None
        return grant.participant_uuid

    def revoke(self, participant_uuid: str) -> None:
        """End every token of a participant who has left."""
        until = self._clock() + self._grace
        for token in [t for t, g in self._grants.items() if g.participant_uuid == participant_uuid]:
            del self._grants[token]
            self._departed[token] = until
        self._current.pop(participant_uuid, None)

    def recently_revoked(self, token: str | None) -> bool:
        """True for a token of a participant who left less than the grace period ago."""
        until = self._departed.get(token or "")
        return until is not None and self._clock() < until

    def purge(self) -> None:
        """Forget grants and departed tokens whose grace is over."""
        now = self._clock()
        for token in [t for t, g in self._grants.items() if g.valid_until and now >= g.valid_until]:
            del self._grants[token]
        for token in [t for t, until in self._departed.items() if now >= until]:
            del self._departed[token]
