"""What keeps a joined room attached to its meeting: the token refresher, the event stream
and the watch on the node.

One `MeetingLink` per token, started once the node has given it. Its callbacks
reach the session on the loop thread, and only while that join lasts (the
stream's thread hops to the loop through `SessionTasks.from_thread`). Events
go from the stream's thread to the loop through a bounded `EventQueue`, and
the loop handles them in batches, so that a node flooding the stream can
neither fill memory nor keep the loop from its timers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InvalidToken
from kiosk.infinity.event_queue import EventQueue
from kiosk.infinity.event_stream import EventStreamReader
from kiosk.infinity.models import Event, Token
from kiosk.session.error_messages import CONNECTION_LOST, TOKEN_TIMED_OUT, describe_error
from kiosk.session.node_watch import NodeWatch, node_answers
from kiosk.session.tasks import SessionTasks
from kiosk.session.token_refresher import TokenRefresher
from kiosk.session_state import ErrorCode, SessionError

log = logging.getLogger(__name__)

EVENT_BATCH = 100  # events handled per turn of the loop


class MeetingLink:
    """Refreshes one join's token and reads its event stream (always with the newest token).

    `on_refreshed(token, refreshes)` gets every new token, `on_event(event)` every
    event, `on_ended(error)` the reason the link broke for good (the token ran out or
    is no longer valid, the meeting is gone), and `on_node_lost(why)` the moment the
    node stopped answering (see `NodeWatch`). `quick_client` (short deadline) probes
    the node; without it the watch is off.
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
        quick_client: InfinityClient | None = None,
        on_node_lost: Callable[[str], None] | None = None,
    ) -> None:
        self._on_refreshed = on_refreshed
        self._on_ended = on_ended
        self._on_event = on_event
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain_current = tasks.while_current(self._drain)
        self.events = EventQueue(on_ready=tasks.from_thread(self._drain))
        self._watch: NodeWatch | None = None
        self._refresher = TokenRefresher(
            token,
            refresh=lambda current: client.refresh_token(alias, current),
            on_refreshed=tasks.while_current(self._refreshed),
            on_expired=tasks.while_current(self._expired),
            on_failure=tasks.while_current(self._refresh_failed),
        )
        self._stream = EventStreamReader(
            client,
            alias,
            token_provider=lambda: self._refresher.token.token,
            on_event=self._queue_event,
            on_connected=tasks.from_thread(self._stream_connected),
            on_fatal=tasks.from_thread(self._stream_fatal),
            on_connect_failed=tasks.from_thread(self._stream_failed),
        )
        if quick_client is not None and on_node_lost is not None:
            probe_client = quick_client
            self._watch = NodeWatch(
                probe=lambda: node_answers(probe_client),
                last_line_at=lambda: self._stream.last_line_at,
                on_lost=tasks.while_current(on_node_lost),
            )

    @property
    def refreshes(self) -> int:
        """How many times the token was refreshed."""
        return self._refresher.refreshes

    @property
    def stream(self) -> EventStreamReader:
        """The event-stream reader (its counters)."""
        return self._stream

    def start(self) -> None:
        """Start refreshing, reading and watching (on the loop)."""
        self._loop = asyncio.get_running_loop()
        self._refresher.start()
        self._stream.start()
        if self._watch is not None:
            self._watch.start()

    def refresh_now(self) -> None:
        """Refresh the token at once (the node sent `refresh_token`)."""
        self._refresher.refresh_now()

    async def node_answers(self) -> bool:
        """Check the node now (the media call failed): False when it does not answer, and
        then `on_node_lost` has been called."""
        if self._watch is None:
            return True
        return await self._watch.check()

    async def stop_refreshing(self, timeout: float) -> None:
        """Stop the refresher (a refresh in flight is abandoned) and the node watch."""
        if self._watch is not None:
            await self._watch.stop()
        await self._refresher.stop(timeout)

    def stop_stream(self, timeout: float) -> asyncio.Task[bool]:
        """Start stopping the stream reader; its thread is joined in a worker thread."""
        self.events.close()  # a reader waiting for room in the queue gives up at once
        return asyncio.get_running_loop().create_task(
            asyncio.to_thread(self._stream.stop, timeout), name="event-stream-stop")

    # ------------------------------------------------------------------ events

    def _queue_event(self, event: Event) -> None:
        """On the reader's thread: wait for room in the queue (never drop an event)."""
        self.events.put(event)

    def _drain(self) -> None:
        """On the loop: handle a batch of events; come back for the rest after the loop
        has run its other callbacks."""
        for event in self.events.take(EVENT_BATCH):
            self._on_event(event)
        if len(self.events) and self._loop is not None:
            self._loop.call_soon(self._drain_current)

    # ------------------------------------------------------------------ callbacks

    def _refreshed(self, token: Token) -> None:
        self._on_refreshed(token, self._refresher.refreshes)

    def _expired(self, error: BaseException | None) -> None:
        message = CONNECTION_LOST if isinstance(error, InvalidToken) else TOKEN_TIMED_OUT
        self._on_ended(SessionError(ErrorCode.TOKEN_EXPIRED, message))

    def _refresh_failed(self, error: BaseException) -> None:
        if self._watch is not None:
            self._watch.refresh_failed(error)

    @staticmethod
    def _stream_connected(up: bool) -> None:
        # A drop alone says little (nodes end streams): a failed reconnect, or silence, does.
        log.info("Event stream %s", "connected" if up else "lost; reconnecting")

    def _stream_failed(self, exc: Exception) -> None:
        if self._watch is not None:
            self._watch.stream_failed(exc)

    def _stream_fatal(self, exc: Exception) -> None:
        self._on_ended(SessionError(ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST)
                       if isinstance(exc, InvalidToken) else describe_error(exc))
