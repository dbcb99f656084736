"""Getting the room back into its meeting once a lost meeting service answers again.

The room asks for a new token for the same meeting, exactly as it joined: the
same alias, the same PIN (or guest choice) and the same Virtual Reception
meeting number. Those are kept in memory only, in `JoinCredentials`, for the
length of one join (never logged, never written anywhere). It keeps trying
until a deadline (`KIOSK_RECONNECT_GIVE_UP_SECONDS` after the loss); a node
that answers but refuses the room (the meeting is gone, the PIN changed) ends
the attempt with that refusal.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.infinity.backoff import Backoff
from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import ServiceUnavailable
from kiosk.infinity.models import Token
from kiosk.session.busy_wait import BUSY_WAIT_DEFAULT, busy_wait_seconds, count_down
from kiosk.session.node_watch import is_not_answering, node_answers
from kiosk.session.tasks import SessionTasks
from kiosk.session.teardown import release_abandoned_token

log = logging.getLogger(__name__)

FIRST_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 4.0


@dataclass(frozen=True)
class JoinCredentials:
    """How the room joined its meeting: what it sends again to rejoin (memory only)."""

    alias: str
    display_name: str
    pin: str | None = field(default=None, repr=False)
    extension: str | None = None


class NodeStillLost(Exception):
    """The meeting service did not answer again before the deadline."""


class Rejoiner:
    """Waits for the meeting service to answer again, then gets a new token.

    `client` asks for the token; `quick_client` (short deadline) checks whether the
    node answers; `on_busy(sentence)` shows a busy node's count-down.
    """

    def __init__(
        self,
        client: InfinityClient,
        quick_client: InfinityClient,
        credentials: JoinCredentials,
        tasks: SessionTasks,
        on_busy: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._quick_client = quick_client
        self._credentials = credentials
        self._tasks = tasks
        self._on_busy = on_busy
        self._clock = clock
        self.attempts = 0

    async def new_token(self, deadline: float) -> Token:
        """A new token once the node answers (`deadline` on `clock`); NodeStillLost after it.

        A refusal (ConferenceNotFound, PinRequired, InvalidPin, Refused ...) is raised.
        """
        backoff = Backoff(initial=FIRST_RETRY_DELAY, maximum=MAX_RETRY_DELAY)
        credentials = self._credentials
        while True:
            if self._clock() >= deadline:
                raise NodeStillLost()
            if await node_answers(self._quick_client):
                self.attempts += 1
                try:
                    return await self._tasks.run_abandonable(
                        self._client.request_token, credentials.alias, credentials.display_name,
                        credentials.pin, credentials.extension, None, True,
                        # Leaving meanwhile must not leave a participant behind at the node.
                        on_abandoned=lambda token: release_abandoned_token(
                            self._quick_client, credentials.alias, token),
                    )
                except ServiceUnavailable as exc:
                    # Coming back (a node restarting says 503): keep asking, as it says.
                    asked = busy_wait_seconds(exc)
                    wait = min(BUSY_WAIT_DEFAULT if asked is None else asked,
                               max(0.0, deadline - self._clock()))
                    log.info("The meeting service is busy; rejoining in %.0f s", wait)
                    await count_down(wait, self._on_busy)
                    continue
                except Exception as exc:
                    if not is_not_answering(exc):
                        raise
                    log.info("Rejoining: the meeting service stopped answering again")
            await asyncio.sleep(min(backoff.next_delay(), max(0.0, deadline - self._clock())))
