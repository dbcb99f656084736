"""The room's way back into its meeting after the meeting service stopped answering.

When the node watch says the node is gone, the room shows RECONNECTING with
"The meeting service is not answering — reconnecting…", lets go of the dead
link and call (nothing can be sent to a node that does not answer), waits for
the node to answer again, joins the same meeting with a new token and sets the
call up again; the old participant is released once the node is back, so a
network blip leaves no ghost in the meeting. If the node has not come back
within `KIOSK_RECONNECT_GIVE_UP_SECONDS`, the session ends in ERROR
(`node_lost`); if it comes back but refuses the room, with that refusal.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from kiosk.infinity.errors import InfinityError
from kiosk.infinity.models import Token
from kiosk.session.call_lifecycle import call_failure
from kiosk.session.call_setup import close_quietly
from kiosk.session.error_messages import MEDIA, NODE_LOST, NODE_NOT_ANSWERING, describe_error
from kiosk.session.node_recovery import JoinCredentials, NodeStillLost, Rejoiner
from kiosk.session.node_watch import is_not_answering
from kiosk.session.teardown import LEAVE_STEP_TIMEOUT, HeldAtNode, LeaveDeadline
from kiosk.session_state import ErrorCode, SessionError, SessionState

if TYPE_CHECKING:
    from kiosk.session.joined_meeting import MeetingServices
    from kiosk.session.meeting_link import MeetingLink

log = logging.getLogger(__name__)


class MeetingRecovery:
    """Brings one join back into its meeting after its node was lost (one recovery at a time).

    `detach()` hands over the dead link and what the join held; `resume(token)` attaches
    a new token and sets the call up again; `settle()` publishes the meeting state and
    tells the node the room's mutes.
    """

    def __init__(
        self,
        services: MeetingServices,
        credentials: JoinCredentials,
        detach: Callable[[], tuple[MeetingLink | None, HeldAtNode]],
        resume: Callable[[Token], Awaitable[None]],
        settle: Callable[[], Awaitable[None]],
    ) -> None:
        self._services = services
        self._credentials = credentials
        self._detach = detach
        self._resume = resume
        self._settle = settle
        self.active = False
        self._lost_again = False

    def begin(self, why: str) -> None:
        """The node stopped answering: start the recovery (once; a loss meanwhile is noted)."""
        if self.active:
            self._lost_again = True
            return
        self.active = True
        self._services.spawn(self._run(why))

    async def _run(self, why: str) -> None:
        services = self._services
        publisher = services.publisher
        lost_at = time.monotonic()
        deadline = lost_at + services.reconnect_give_up
        log.warning("Reconnecting to the meeting (%s); giving up after %.0f s", why,
                    services.reconnect_give_up)
        publisher.update(state=SessionState.RECONNECTING, notice=NODE_NOT_ANSWERING,
                         node_lost_since=lost_at)
        stale = await self._let_go()
        rejoiner = Rejoiner(services.client, services.quick_client, self._credentials,
                            services.tasks, on_busy=lambda text: publisher.update(notice=text))
        while True:
            self._lost_again = False
            try:
                token = await rejoiner.new_token(deadline)
            except NodeStillLost:
                log.warning("The meeting service did not answer again within %.0f s",
                            services.reconnect_give_up)
                await services.end(SessionError(ErrorCode.NODE_LOST, NODE_LOST))
                return
            except InfinityError as exc:
                log.warning("Rejoining was refused: %s", type(exc).__name__)
                await services.end(describe_error(exc))
                return
            publisher.update(notice=NODE_NOT_ANSWERING)
            if stale is not None:
                services.spawn(self._release(stale))
            try:
                await self._resume(token)
            except Exception as exc:
                if is_not_answering(exc) and time.monotonic() < deadline:
                    stale = await self._let_go()
                    continue
                await services.end(call_failure(exc, MEDIA))
                return
            if not self._lost_again:
                break
            stale = await self._let_go()  # the new link lost the node while the call came up
        self.active = False
        log.info("Back in the meeting after %.1f s", time.monotonic() - lost_at)
        publisher.update(notice="", node_lost_since=None, rejoins=publisher.snapshot.rejoins + 1)
        await self._settle()

    async def _let_go(self) -> Token | None:
        """Stop the dead link and close the media; the old token, to release later."""
        link, held = self._detach()
        stopping = None
        if link is not None:
            await link.stop_refreshing(LEAVE_STEP_TIMEOUT)
            stopping = link.stop_stream(LEAVE_STEP_TIMEOUT)
        if held.media is not None:
            await close_quietly(held.media)
        if stopping is not None:
            await asyncio.wait({stopping}, timeout=LEAVE_STEP_TIMEOUT + 0.5)
        return held.token

    async def _release(self, token: Token) -> None:
        """Release the participant the room had before the loss (best effort, bounded)."""
        log.info("Releasing the participant the room had before the meeting service was lost")
        await LeaveDeadline().best_effort(self._services.quick_client.release_token,
                                          self._credentials.alias, token.token)
