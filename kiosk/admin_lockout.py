"""The admin PIN's lock-out: doubling after each failed round, kept across restarts.

`max_attempts` wrong admin PINs in a row lock the admin screen for
`first_lockout` seconds; every further failed round doubles it (30 s, 1 min,
2 min, ... up to one hour). A 4-digit PIN then takes months, not a day, to
guess. The first lock-out never goes below `MIN_LOCKOUT_SECONDS`, whatever the
settings say (a cool-down of 0 would make guessing free). The count, the round
and the end of the current lock-out are written to `admin-lockout.json` in
`KIOSK_STATE_DIR`, so pulling the plug does not reset them; a round is
forgotten after `FORGET_AFTER_SECONDS` without a wrong PIN, and the right PIN
resets everything.

The state uses the wall clock (it must survive a reboot); a clock that jumps
back can never make a lock-out longer than the lock-out itself. A state file
that cannot be read or written is logged once and the lock-out works in memory.
No PIN (right or wrong) is ever logged, stored or passed on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from kiosk.config import Settings
from kiosk.settings_checks.regular_file import FileRefused, read_regular_file

log = logging.getLogger(__name__)

STATE_FILE_NAME = "admin-lockout.json"
MIN_LOCKOUT_SECONDS = 30.0  # the floor of the first lock-out: settings cannot go below it
MAX_LOCKOUT_SECONDS = 3600.0
MAX_ATTEMPTS_PER_ROUND = 5  # settings may allow fewer wrong PINs per round, never more
FORGET_AFTER_SECONDS = 24 * 3600.0
MAX_STATE_BYTES = 4096


@dataclass(frozen=True)
class LockoutState:
    """What is persisted: wrong PINs in this round, lock-outs so far, and their times."""

    wrong_in_round: int = 0
    lockouts: int = 0  # lock-outs since the last right PIN (the next lasts first * 2**lockouts)
    locked_until: float = 0.0  # wall clock
    lockout_seconds: float = 0.0  # how long the current (last) lock-out is
    last_wrong_at: float = 0.0  # wall clock

    @classmethod
    def from_json(cls, text: str) -> LockoutState:
        """Parse a saved state; ValueError if it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        values = {}
        for name, kind in (("wrong_in_round", int), ("lockouts", int), ("locked_until", float),
                           ("lockout_seconds", float), ("last_wrong_at", float)):
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} is not a non-negative number")
            values[name] = kind(value)
        return cls(**values)


class LockoutStore:
    """Reads and writes the state file (atomically, mode 0600); never raises."""

    def __init__(self, state_dir: Path | None) -> None:
        self.path = state_dir / STATE_FILE_NAME if state_dir is not None else None
        self._warned: set[str] = set()

    def load(self) -> LockoutState:
        """The saved state, or a fresh one (a missing file is normal, a bad one is logged)."""
        if self.path is None:
            return LockoutState()
        try:
            return LockoutState.from_json(read_regular_file(self.path, MAX_STATE_BYTES).decode())
        except FileRefused as exc:
            if str(exc) != "does not exist":
                self._warn("read", str(exc))
        except (ValueError, UnicodeDecodeError):
            self._warn("read", "is damaged; starting a new count")
        return LockoutState()

    def save(self, state: LockoutState) -> None:
        """Write `state` (replacing the file in one step)."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".admin-lockout-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w") as handle:
                    json.dump(asdict(state), handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            self._warn("write", f"cannot be written ({exc.strerror or exc}); the lock-out is "
                                "kept in memory only until the kiosk restarts")

    def _warn(self, kind: str, problem: str) -> None:
        # Once per kind: a wrong PIN after another must not add a journal line each time.
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning("Admin lock-out state %s %s", self.path, problem)


class AdminLockout:
    """Counts wrong admin PINs and runs the doubling lock-out (see the module docstring).

    `on_lockout(seconds)` is called for every lock-out that starts (the health
    endpoint counts them).
    """

    def __init__(
        self,
        store: LockoutStore,
        max_attempts: int = 3,
        first_lockout: float = MIN_LOCKOUT_SECONDS,
        clock: Callable[[], float] = time.time,
        on_lockout: Callable[[float], None] | None = None,
    ) -> None:
        self._store = store
        self._max_attempts = min(max(1, max_attempts), MAX_ATTEMPTS_PER_ROUND)
        self._first = min(max(first_lockout, MIN_LOCKOUT_SECONDS), MAX_LOCKOUT_SECONDS)
        self._clock = clock
        self._on_lockout = on_lockout
        self._state = store.load()

    @property
    def state(self) -> LockoutState:
        """The current state (as persisted)."""
        return self._state

    def next_lockout_seconds(self) -> float:
        """How long the next lock-out will last."""
        return min(self._first * 2 ** min(self._state.lockouts, 32), MAX_LOCKOUT_SECONDS)

    def remaining(self) -> float:
        """Seconds until PINs are accepted again (0 when not locked)."""
        state = self._state
        left = state.locked_until - self._clock()
        # A clock set back (a Pi without a real-time clock) never lengthens a lock-out.
        return max(0.0, min(left, state.lockout_seconds))

    def record_wrong(self) -> float:
        """Count a wrong PIN; the length of the lock-out it started (0.0 if none)."""
        now = self._clock()
        state = self._state
        if state.last_wrong_at and now - state.last_wrong_at > FORGET_AFTER_SECONDS:
            state = LockoutState()  # a day without a wrong PIN: a fresh start
        wrong = state.wrong_in_round + 1
        if wrong < self._max_attempts:
            self._set(LockoutState(wrong, state.lockouts, state.locked_until,
                                   state.lockout_seconds, now))
            return 0.0
        self._state = state
        seconds = self.next_lockout_seconds()
        self._set(LockoutState(0, state.lockouts + 1, now + seconds, seconds, now))
        log.warning("Admin PIN: %d wrong in a row; the admin screen is locked for %s "
                    "(lock-out %d; the next one lasts %s)", wrong, _duration(seconds),
                    state.lockouts + 1, _duration(self.next_lockout_seconds()))
        if self._on_lockout is not None:
            try:
                self._on_lockout(seconds)
            except Exception:
                log.exception("The lock-out callback failed")
        return seconds

    def record_granted(self) -> None:
        """The right PIN: forget every wrong one and the lock-out history."""
        if self._state != LockoutState():
            self._set(LockoutState())

    def _set(self, state: LockoutState) -> None:
        self._state = state
        self._store.save(state)


def admin_lockout_for(
    settings: Settings, on_lockout: Callable[[float], None] | None = None
) -> AdminLockout:
    """The admin lock-out of the room: KIOSK_PIN_MAX_ATTEMPTS wrong PINs per round, the
    first lock-out KIOSK_PIN_COOLDOWN_SECONDS (at least 30 s), kept in KIOSK_STATE_DIR."""
    return AdminLockout(
        LockoutStore(settings.state_dir if settings.admin_pin else None),
        max_attempts=settings.pin_max_attempts,
        first_lockout=settings.pin_cooldown_seconds,
        on_lockout=on_lockout,
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    return f"{seconds / 60:g} min"
