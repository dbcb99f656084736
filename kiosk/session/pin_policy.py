"""PIN entry rules: local validation and the cool-down after repeated wrong PINs.

The kiosk checks a PIN before it is sent (digits only, 1–20 long, one trailing
`#` dropped as typed on room keypads) so that junk never reaches the node, and
after `max_attempts` wrong PINs in a row it refuses PINs for a while so that a
room panel cannot be used to guess a meeting's PIN quickly.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.i18n.message import Message, MessageText, fixed_message

MAX_PIN_LENGTH = 20
_PIN_PATTERN = re.compile(rf"[0-9]{{1,{MAX_PIN_LENGTH}}}")

INCORRECT_PIN_NOTICE = fixed_message("pin_incorrect", "Incorrect PIN — try again")
EMPTY_PIN_NOTICE = fixed_message("pin_empty", "Please enter the PIN.")
INVALID_PIN = MessageText("pin_invalid", "A PIN is 1 to {max} digits.")
INVALID_PIN_NOTICE = INVALID_PIN(max=MAX_PIN_LENGTH)
COOLDOWN = MessageText("pin_cooldown", "Too many wrong PINs. Try again in {seconds} s")


class PinRejected(ValueError):
    """A PIN refused locally; `notice` (also `str()`) is a short human sentence, never the PIN."""

    def __init__(self, notice: Message) -> None:
        super().__init__(notice)
        self.notice = notice


def normalise_pin(raw: str) -> str:
    """Strip whitespace and one trailing `#`; "" means "no PIN" (guest)."""
    pin = raw.strip()
    if pin.endswith("#"):
        pin = pin[:-1].rstrip()
    return pin


def validate_pin(raw: str) -> str:
    """Return the PIN to send, "" for a guest join, or raise PinRejected.

    Only ASCII digits count (``str.isdigit`` would accept "²" or Arabic-Indic digits).
    """
    pin = normalise_pin(raw)
    if pin and not _PIN_PATTERN.fullmatch(pin):
        raise PinRejected(INVALID_PIN_NOTICE)
    return pin


def cooldown_notice(remaining: float) -> Message:
    """The notice shown while PINs are refused, with whole seconds left."""
    return COOLDOWN(seconds=math.ceil(remaining))


@dataclass
class PinPolicy:
    """Counts wrong PINs in a row and runs the cool-down.

    One instance per join attempt; `clock` is injectable so the rules can be
    checked without sleeping.
    """

    max_attempts: int = 3
    cooldown_seconds: float = 30.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    wrong_in_a_row: int = 0
    _cooldown_until: float | None = field(default=None, repr=False)

    def cooldown_remaining(self) -> float:
        """Seconds until PINs are accepted again (0.0 when they are)."""
        if self._cooldown_until is None:
            return 0.0
        remaining = self._cooldown_until - self.clock()
        if remaining <= 0:
            # The cool-down is over: a fresh row of attempts starts.
            self._cooldown_until = None
            self.wrong_in_a_row = 0
            return 0.0
        return remaining

    def whole_seconds_left(self) -> float:
        """The cool-down left in whole seconds, rounded up (0.0 when PINs are accepted).

        Shown to people: one value per second, not a stream of tiny changes.
        """
        remaining = self.cooldown_remaining()
        return float(math.ceil(remaining)) if remaining > 0 else 0.0

    def until_next_second(self) -> float | None:
        """Seconds until `whole_seconds_left()` next changes; None without a cool-down."""
        remaining = self.cooldown_remaining()
        if remaining <= 0:
            return None
        return remaining - (math.ceil(remaining) - 1)

    def check_allowed(self) -> None:
        """Raise PinRejected with the cool-down notice while PINs are refused."""
        remaining = self.cooldown_remaining()
        if remaining > 0:
            raise PinRejected(cooldown_notice(remaining))

    def record_wrong(self) -> bool:
        """Count a wrong PIN; True when this one started the cool-down."""
        self.wrong_in_a_row += 1
        if self.wrong_in_a_row >= self.max_attempts and self.cooldown_seconds > 0:
            self._cooldown_until = self.clock() + self.cooldown_seconds
            return True
        return False

    def record_accepted(self) -> None:
        """A PIN was accepted: forget the wrong ones."""
        self.wrong_in_a_row = 0
        self._cooldown_until = None
