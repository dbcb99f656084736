"""The PIN step of a join: which prompt is shown, what is sent, wrong PINs and the cool-down.

`PinEntry` turns what happens at the PIN prompt (the node asks, a PIN is typed,
a PIN is wrong, a second of the cool-down passes) into the snapshot changes to
publish. The rules themselves are `kiosk.session.pin_policy`; the session sends the PIN.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from kiosk.i18n.message import fixed_message
from kiosk.infinity.client import GUEST_PIN
from kiosk.session.pin_policy import (
    EMPTY_PIN_NOTICE,
    INCORRECT_PIN_NOTICE,
    PinPolicy,
    PinRejected,
    cooldown_notice,
    validate_pin,
)
from kiosk.session_state import SessionState

log = logging.getLogger(__name__)

PIN_STATES = frozenset({SessionState.PIN_REQUIRED, SessionState.PIN_OPTIONAL})
GUEST_NOT_ALLOWED_NOTICE = fixed_message("guest_not_allowed", "This meeting needs a PIN.")
# Wake just after a whole second of the cool-down has passed (timers may fire a hair early).
COUNTDOWN_MARGIN = 0.01


class PinEntry:
    """The PIN prompt of one join; `prompt` is the state to show it in."""

    def __init__(self, max_attempts: int, cooldown_seconds: float) -> None:
        self.policy = PinPolicy(max_attempts=max_attempts, cooldown_seconds=cooldown_seconds)
        self.prompt = SessionState.PIN_REQUIRED

    @property
    def cooling_down(self) -> bool:
        """True while PINs are refused after too many wrong ones."""
        return self.policy.cooldown_remaining() > 0

    def pin_to_send(self, raw: str, state: SessionState) -> str:
        """The PIN to send for what was typed (GUEST_PIN: join as a guest).

        Raises PinRejected (its text is the notice) for a malformed PIN, during the
        cool-down, and for an empty PIN where guests are not allowed.
        """
        pin = validate_pin(raw)
        if pin:
            self.policy.check_allowed()
            return pin
        if state is SessionState.PIN_REQUIRED:
            raise PinRejected(EMPTY_PIN_NOTICE)
        return GUEST_PIN

    def refused(self, exc: PinRejected) -> dict[str, Any]:
        """The changes that show why a typed PIN was not sent."""
        return {"notice": exc.notice, "pin_cooldown_remaining": self.policy.whole_seconds_left()}

    def on_prompt(self, guest_allowed: bool, pin_sent: str | None) -> dict[str, Any]:
        """The node asks for a PIN, after we sent `pin_sent` (None: nothing yet)."""
        if pin_sent == GUEST_PIN:
            # Guests were refused after all: only a PIN will do.
            self.prompt = SessionState.PIN_REQUIRED
            return {"state": self.prompt, "notice": GUEST_NOT_ALLOWED_NOTICE}
        if pin_sent is not None:
            # A node may answer a wrong PIN with the prompt again.
            return self.on_wrong()
        self.prompt = SessionState.PIN_OPTIONAL if guest_allowed else SessionState.PIN_REQUIRED
        return {"state": self.prompt, "notice": ""}

    def on_wrong(self) -> dict[str, Any]:
        """The node refused the PIN: count it, maybe start the cool-down."""
        policy = self.policy
        started = policy.record_wrong()
        log.info("Wrong PIN (%d in a row)", policy.wrong_in_a_row)
        notice = cooldown_notice(policy.cooldown_remaining()) if started else INCORRECT_PIN_NOTICE
        return {"state": self.prompt, "notice": notice, "pin_attempts": policy.wrong_in_a_row,
                "pin_cooldown_remaining": policy.whole_seconds_left()}

    def accepted(self) -> dict[str, Any]:
        """The node accepted the PIN (or needed none): forget the wrong ones."""
        self.policy.record_accepted()
        return {"pin_attempts": 0, "pin_cooldown_remaining": 0.0}

    async def count_down(self, publish: Callable[..., None], shown: Callable[[], bool]) -> None:
        """Publish the cool-down each time its whole seconds change, until it ends or the
        prompt is no longer `shown()`."""
        while (wait := self.policy.until_next_second()) is not None:
            await asyncio.sleep(wait + COUNTDOWN_MARGIN)
            if not shown():
                return
            remaining = self.policy.whole_seconds_left()
            if remaining:
                publish(pin_cooldown_remaining=remaining, notice=cooldown_notice(remaining))
            else:
                publish(pin_cooldown_remaining=0.0, notice="", pin_attempts=0)
