"""What keeps a joined room attached to its meeting: the token refresher and the event stream.

One `MeetingLink` per join, started once the node has given a token. Its
callbacks reach the session on the loop thread, and only while that join lasts
(the stream's thread hops to the loop through `SessionTasks.from_thread`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InvalidToken
from kiosk.infinity.event_stream import EventStreamReader
from kiosk.infinity.models import Event, Token
from kiosk.session.error_messages import CONNECTION_LOST, TOKEN_TIMED_OUT, describe_error
from kiosk.session.tasks import SessionTasks
from kiosk.session.token_refresher import TokenRefresher
from kiosk.session_state import ErrorCode, SessionError

log = logging.getLogger(__name__)


class MeetingLink:
    """Refreshes one join's token and reads its event stream (always with the newest token).

    `on_refreshed(token, refreshes)` gets every new token, `on_event(event)` every
    event, and `on_ended(error)` the reason the link broke for good (the token ran
    out or is no longer valid, the meeting is gone).
    """

    def __init__(
        self,
        client: InfinityClient,
        alias: str,
        token: Token,
        tasks: SessionTasks,
        on_refreshed: Callable[[Token, int], None],
        on_event: Callable[[Event], None],
        on_ended: Callable[[SessionError], None],
    ) -> None:
        self._on_refreshed = on_refreshed
        self._on_ended = on_ended
        self._refresher = TokenRefresher(
            token,
            refresh=lambda current: client.refresh_token(alias, current),
            on_refreshed=tasks.while_current(self._refreshed),
            on_expired=tasks.while_current(self._expired),
        )
        self._stream = EventStreamReader(
            client,
            alias,
            token_provider=lambda: self._refresher.token.token,
            on_event=tasks.from_thread(on_event),
            on_connected=tasks.from_thread(self._stream_connected),
            on_fatal=tasks.from_thread(self._stream_fatal),
        )

    @property
    def refreshes(self) -> int:
        """How many times the token was refreshed."""
        return self._refresher.refreshes

    def start(self) -> None:
        """Start refreshing and reading (on the loop)."""
        self._refresher.start()
        self._stream.start()

    def refresh_now(self) -> None:
        """Refresh the token at once (the node sent `refresh_token`)."""
        self._refresher.refresh_now()

    async def stop_refreshing(self, timeout: float) -> None:
        """Stop the refresher (a refresh in flight is abandoned)."""
        await self._refresher.stop(timeout)

    def stop_stream(self, timeout: float) -> asyncio.Task[bool]:
        """Start stopping the stream reader; its thread is joined in a worker thread."""
        return asyncio.get_running_loop().create_task(
            asyncio.to_thread(self._stream.stop, timeout), name="event-stream-stop")

    def _refreshed(self, token: Token) -> None:
        self._on_refreshed(token, self._refresher.refreshes)

    def _expired(self, error: BaseException | None) -> None:
        message = CONNECTION_LOST if isinstance(error, InvalidToken) else TOKEN_TIMED_OUT
        self._on_ended(SessionError(ErrorCode.TOKEN_EXPIRED, message))

    @staticmethod
    def _stream_connected(up: bool) -> None:
        log.info("Event stream %s", "connected" if up else "lost; reconnecting")

    def _stream_fatal(self, exc: Exception) -> None:
        self._on_ended(SessionError(ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST)
                       if isinstance(exc, InvalidToken) else describe_error(exc))
