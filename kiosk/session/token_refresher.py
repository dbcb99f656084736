"""Keeps a Pexip token alive: refresh every `expires/2`, retry while it is valid.

Runs as one asyncio task; the blocking HTTP refresh runs in a worker thread.
The node's `refresh_token` event asks for a refresh at once (`refresh_now`).
When the token has run out without a successful refresh, or the node says the
token is invalid, `on_expired` is called once and the task ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from kiosk.infinity.errors import InvalidToken
from kiosk.infinity.models import Token

log = logging.getLogger(__name__)

FIRST_RETRY_DELAY = 0.25
MAX_RETRY_DELAY = 5.0
STOP_TIMEOUT = 2.0


class TokenRefresher:
    """Refreshes `token` on a timer and hands every new one to `on_refreshed`.

    `refresh` is the blocking call (e.g. ``lambda t: client.refresh_token(alias, t)``).
    Callbacks run on the event loop. `token` is always the newest token. `on_failure`
    hears of every failed attempt that will be retried (the node watch acts on those).
    """

    def __init__(
        self,
        token: Token,
        refresh: Callable[[Token], Token],
        on_refreshed: Callable[[Token], None],
        on_expired: Callable[[BaseException | None], None],
        clock: Callable[[], float] = time.monotonic,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._token = token
        self._obtained_at = clock()
        self._refresh = refresh
        self._on_refreshed = on_refreshed
        self._on_expired = on_expired
        self._on_failure = on_failure
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.refreshes = 0

    @property
    def token(self) -> Token:
        """The newest token."""
        return self._token

    def start(self) -> None:
        """Start the refresh task on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="token-refresher"
            )

    def refresh_now(self) -> None:
        """Refresh at once (the node sent a `refresh_token` event)."""
        self._wake.set()

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the task within `timeout`; a refresh in flight is abandoned (its thread
        ends on its own)."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        task.cancel()
        # asyncio.wait, not awaiting the task: a leave must not hang on it, whatever it does.
        await asyncio.wait({task}, timeout=timeout)
        if not task.done():
            log.warning("The refresher did not stop within %.1f s", timeout)
        elif not task.cancelled() and task.exception() is not None:
            log.error("The refresher had failed", exc_info=task.exception())

    async def _run(self) -> None:
        while True:
            due = self._obtained_at + self._token.expires / 2
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, due - self._clock()))
            self._wake.clear()
            if not await self._refresh_with_retry():
                return

    async def _refresh_with_retry(self) -> bool:
        """True once refreshed; False (after `on_expired`) when the token is gone."""
        deadline = self._obtained_at + self._token.expires
        delay = FIRST_RETRY_DELAY
        last_error: BaseException | None = None
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                log.warning("Token expired before it could be refreshed")
                self._expired(last_error)
                return False
            sent_at = self._clock()
            try:
                new = await asyncio.wait_for(
                    asyncio.to_thread(self._refresh, self._token), timeout=remaining
                )
            except InvalidToken as exc:
                log.warning("The node refused the refresh: the participant is gone")
                self._expired(exc)
                return False
            except TimeoutError as exc:
                last_error = exc
                self._failed(exc)
                continue  # the deadline check above ends it
            except Exception as exc:  # any failure is retried while the token is valid
                last_error = exc
                log.warning("Token refresh failed (%s); retrying", type(exc).__name__)
                self._failed(exc)
            else:
                # The node's expiry clock started no earlier than our request.
                self._token = new
                self._obtained_at = sent_at
                self.refreshes += 1
                log.debug("Token refreshed (%d so far, expires in %.1f s)",
                          self.refreshes, new.expires)
                try:
                    self._on_refreshed(new)
                except Exception:
                    log.exception("Token refresh callback failed")
                return True
            await asyncio.sleep(min(delay, max(0.0, deadline - self._clock())))
            delay = min(delay * 2, MAX_RETRY_DELAY)

    def _failed(self, error: BaseException) -> None:
        if self._on_failure is None:
            return
        try:
            self._on_failure(error)
        except Exception:
            log.exception("Token refresh failure callback failed")

    def _expired(self, error: BaseException | None) -> None:
        try:
            self._on_expired(error)
        except Exception:
            log.exception("Token expiry callback failed")
