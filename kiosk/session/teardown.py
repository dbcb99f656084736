"""Leaving a meeting within a fixed time budget, whatever state the node is in.

The order: stop the token refresher, start stopping the event-stream reader
(its thread join runs in a worker thread), give the cancelled join tasks a
moment to close what they opened, hang up the call, close the media, release
the token, then collect the reader. Every request goes through the "quick"
client (short timeouts) and every wait is cut at the end of the budget, so a
leave takes about LEAVE_BUDGET seconds at most even when the node is gone.
Nothing here blocks the event loop: blocking HTTP runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.infinity.client import ClientTimeouts, InfinityClient
from kiosk.infinity.models import Token
from kiosk.media.interface import MediaCall
from kiosk.session.call_setup import close_quietly
from kiosk.session.meeting_link import MeetingLink

log = logging.getLogger(__name__)

LEAVE_STEP_TIMEOUT = 1.5
LEAVE_BUDGET = 3.5
QUICK_TIMEOUTS = ClientTimeouts(connect=LEAVE_STEP_TIMEOUT, read=LEAVE_STEP_TIMEOUT)
# A quick request may use its connect and its read timeout; a little more for the thread hop.
QUICK_CALL_TIMEOUT = LEAVE_STEP_TIMEOUT + 0.5
# Even with the budget used up, each step gets this long (closing media, collecting threads).
MIN_STEP_TIME = 0.1


@dataclass(frozen=True)
class HeldAtNode:
    """What a join holds when it leaves: the media, the node's call and the token."""

    media: MediaCall | None = None
    call_uuid: str | None = None
    token: Token | None = None
    breakout: str | None = None  # the breakout room the call is in
    participant: str | None = None  # the room's participant uuid where the call is


class LeaveDeadline:
    """The time left of one leave's budget (create it on the loop)."""

    def __init__(self, budget: float = LEAVE_BUDGET) -> None:
        self._loop = asyncio.get_running_loop()
        self._end = self._loop.time() + budget

    def left(self) -> float:
        """Seconds left, but at least MIN_STEP_TIME: every step gets a chance."""
        return max(MIN_STEP_TIME, self._end - self._loop.time())

    async def best_effort(self, fn: Callable[..., object], *args: Any) -> None:
        """Run a blocking request in a thread within the budget; a failure is only logged."""
        remaining = self._end - self._loop.time()
        if remaining <= 0:
            return
        try:
            await asyncio.wait_for(asyncio.to_thread(fn, *args),
                                   min(remaining, QUICK_CALL_TIMEOUT))
        except Exception as exc:
            log.info("While leaving: %s failed (%s)", getattr(fn, "__name__", "call"),
                     type(exc).__name__)


async def tear_down(
    cancelled: Sequence[asyncio.Task[Any]],
    link: MeetingLink | None,
    collect: Callable[[], HeldAtNode],
    client: InfinityClient,
    alias: str,
) -> None:
    """Release everything a join holds, within LEAVE_BUDGET.

    `cancelled` are the join's tasks, already cancelled: they get until the budget
    ends to close what they opened (a half-built call). `collect()` is called after
    that and hands over what is still held; `client` should be the quick client.
    """
    deadline = LeaveDeadline()
    stopping: asyncio.Task[bool] | None = None
    if link is not None:
        await link.stop_refreshing(deadline.left())
        stopping = link.stop_stream(LEAVE_STEP_TIMEOUT)
    if cancelled:
        await asyncio.wait(cancelled, timeout=deadline.left())
    held = collect()
    token = held.token
    if held.call_uuid and token is not None:
        await deadline.best_effort(client.disconnect_call, alias,
                                   held.participant or token.participant_uuid,
                                   held.call_uuid, token.token, held.breakout)
    if held.media is not None:
        await close_quietly(held.media, timeout=deadline.left())
    if token is not None:
        await deadline.best_effort(client.release_token, alias, token.token)
    if stopping is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(stopping, deadline.left())


async def release_abandoned_token(client: InfinityClient, alias: str, token: Token) -> None:
    """Release a token that arrived after its join was cancelled (best effort, bounded)."""
    log.info("Releasing the participant of a cancelled join")
    await LeaveDeadline().best_effort(client.release_token, alias, token.token)
