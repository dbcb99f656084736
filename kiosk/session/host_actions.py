"""The room's controls over its meeting: a host's (admit, lock, mute, remove, lower hands)
and everyone's (raise / lower the hand, ask for help in a breakout room).

Each request runs in a worker thread within CONTROL_TIMEOUT and ends in one
`ActionResult`. Nothing on screen changes because of the request itself: the
node's events (participant_update, conference_update) change the roster and the
flags, so a refused action (the node says no) changes nothing. An invalid token
ends the meeting, as for every other request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError, InvalidToken, NodeUnreachable
from kiosk.infinity.models import Role
from kiosk.session.room_view import HOST_ONLY_ACTIONS, ActionResult, HostAction, Outcome
from kiosk.session.tasks import SessionTasks

log = logging.getLogger(__name__)

CONTROL_TIMEOUT = 10.0

_CONFERENCE_COMMANDS = {
    HostAction.ADMIT_ALL: "start_conference",
    HostAction.LOCK: "lock",
    HostAction.UNLOCK: "unlock",
    HostAction.MUTE_GUESTS: "muteguests",
    HostAction.UNMUTE_GUESTS: "unmuteguests",
    HostAction.LOWER_ALL_HANDS: "clearallbuzz",
    HostAction.ASK_FOR_HELP: "breakoutbuzz",
}
_PARTICIPANT_COMMANDS = {
    HostAction.ADMIT: "unlock",
    HostAction.MUTE: "mute",
    HostAction.UNMUTE: "unmute",
    HostAction.REMOVE: "disconnect",
    HostAction.RAISE_HAND: "buzz",
    HostAction.LOWER_HAND: "clearbuzz",
}


@dataclass(frozen=True)
class ActionScope:
    """Where the room's requests go now: the alias, the token, and the breakout room (and
    the room's participant uuid in it) while it is in one."""

    alias: str
    token: str
    role: Role
    own_uuid: str
    breakout: str | None = None


class HostActions:
    """Sends the panel's actions; `on_result(result)` gets each one's result.

    `scope()` says where requests go (None: not in a meeting, the action is ignored);
    `name_of(uuid)` names a participant for the result; `on_token_invalid()` ends
    the meeting.
    """

    def __init__(
        self,
        client: InfinityClient,
        tasks: SessionTasks,
        scope: Callable[[], ActionScope | None],
        name_of: Callable[[str], str],
        on_result: Callable[[ActionResult], None],
        on_token_invalid: Callable[[], Awaitable[None]],
    ) -> None:
        self._client = client
        self._tasks = tasks
        self._scope = scope
        self._name_of = name_of
        self._on_result = on_result
        self._on_token_invalid = on_token_invalid
        self._number = 0

    async def run(self, action: HostAction, participant_uuid: str = "") -> ActionResult | None:
        """Send `action` (on `participant_uuid` for the one-participant actions); its result,
        or None when the room is not in a meeting."""
        scope = self._scope()
        if scope is None:
            log.info("%s ignored: not in a meeting", action.value)
            return None
        subject = self._name_of(participant_uuid) if participant_uuid else ""
        if action in HOST_ONLY_ACTIONS and scope.role is not Role.HOST:
            return self._result(action, Outcome.NOT_ALLOWED, subject)
        generation = self._tasks.generation
        try:
            await asyncio.wait_for(asyncio.to_thread(self._send, scope, action, participant_uuid),
                                   CONTROL_TIMEOUT)
        except InvalidToken:
            if generation == self._tasks.generation:
                await self._on_token_invalid()
            return None
        except (NodeUnreachable, TimeoutError) as exc:
            log.warning("%s failed: %s", action.value, type(exc).__name__)
            outcome = Outcome.FAILED
        except (InfinityError, ValueError) as exc:
            log.warning("%s refused by the node: %s", action.value, type(exc).__name__)
            outcome = Outcome.REFUSED
        else:
            log.info("%s done", action.value)
            outcome = Outcome.DONE
        if generation != self._tasks.generation:
            return None  # the meeting was left meanwhile: this result is nobody's business
        return self._result(action, outcome, subject)

    def _send(self, scope: ActionScope, action: HostAction, participant_uuid: str) -> None:
        client = self._client
        command = _CONFERENCE_COMMANDS.get(action)
        if command is not None:
            # Asking for help is made from the breakout, with the meeting's own token.
            breakout = scope.breakout if action is not HostAction.ASK_FOR_HELP else None
            client.conference_command(scope.alias, command, scope.token, breakout=breakout)
            return
        target = participant_uuid
        if action in (HostAction.RAISE_HAND, HostAction.LOWER_HAND):
            target = scope.own_uuid
        if not target:
            raise ValueError("no participant given")
        client.participant_command(scope.alias, target, _PARTICIPANT_COMMANDS[action],
                                   scope.token, breakout=scope.breakout)

    def _result(self, action: HostAction, outcome: Outcome, subject: str) -> ActionResult:
        self._number += 1
        result = ActionResult(action=action, outcome=outcome, subject=subject,
                              number=self._number)
        self._on_result(result)
        return result
