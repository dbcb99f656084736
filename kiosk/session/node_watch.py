"""Noticing within seconds that the meeting service stopped answering.

A node can die in two ways, and the kiosk hears of each differently:

- Its process ends, or it reboots: the event stream ends and reconnecting is
  refused (or times out). That failed reconnect, or a token refresh that cannot
  reach the node, gets the node probed at once (below); a probe that fails too
  says "not answering". (A slow node that only timed one request out, but
  answers its status check, is not lost: the stream just tries again.)
- The network goes (a cable pulled, a router gone, packets dropped): nothing
  ends. The event stream has no read timeout (events may be minutes apart) and
  TCP keepalive gives up only after ~25 s, refreshes come every `expires/2`
  (60 s). So the watch checks the node itself, at the application level, when
  the stream has been silent for `SILENCE_SECONDS`: a `GET /status` that must
  be answered within `PROBE_DEADLINE` seconds (connect, TLS and reply, all of
  it: the probe client's total deadline). A node that does not answer it while
  its stream is silent is not answering.

Why `/status` and not a token refresh: it needs no token (a refresh replaces
the token every time and loads the node's token bookkeeping), it is what
Pexip's clients use to tell whether a node is reachable, and it is cheap
enough to send every few seconds on a quiet stream. Why only on silence: a
stream that delivers events or keepalive comments proves the node is alive,
so a busy meeting costs no probes at all.

Worst case, with the numbers below: the stream falls silent just after a
probe succeeded; the next probe starts `PROBE_INTERVAL` later and fails
`PROBE_DEADLINE` after that, so the loss is noticed within
PROBE_INTERVAL + PROBE_DEADLINE + TICK_SECONDS = 4 + 3 + 0.5 = 7.5 s.
A media failure (ICE consent lost) asks for a probe at once (`check`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError, NodeUnreachable

log = logging.getLogger(__name__)

SILENCE_SECONDS = 4.0  # a stream quiet this long gets the node probed ...
PROBE_INTERVAL = 4.0  # ... and probed again at most this often while it stays quiet
PROBE_DEADLINE = 3.0  # the probe client's whole exchange (QUICK_TIMEOUTS: 1.5 + 1.5 s)
TICK_SECONDS = 0.5


def is_not_answering(exc: BaseException) -> bool:
    """True for a failure that means nobody answered at all (not a refusal, not TLS)."""
    if isinstance(exc, NodeUnreachable):
        return not exc.tls
    return isinstance(exc, TimeoutError)


async def node_answers(client: InfinityClient, deadline: float = PROBE_DEADLINE) -> bool:
    """`GET /status` within `deadline`: True when the node answered anything at all
    (up, maintenance, busy, even an odd reply), False when it did not answer."""
    try:
        # A little over the client's own deadline for the hop to the worker thread.
        await asyncio.wait_for(asyncio.to_thread(client.status), deadline + 0.5)
    except (NodeUnreachable, TimeoutError) as exc:
        if is_not_answering(exc):
            log.info("The meeting service did not answer its status check (%s)",
                     type(exc).__name__)
            return False
    except InfinityError:
        pass  # it answered: busy, maintenance, not quite a node ... but there
    except RuntimeError:
        # No worker thread to ask from: the loop is closing (the process stops). No verdict.
        log.debug("Status check skipped: the event loop is closing")
    return True


class NodeWatch:
    """Watches one meeting link and calls `on_lost(why)` once, when the node stops answering.

    Fed by the link: `stream_failed` (a reconnect that failed) and `refresh_failed`;
    `last_line_at()` is when the stream last delivered a line.
    `probe()` is True while the node answers (see `node_answers`).
    """

    def __init__(
        self,
        probe: Callable[[], Awaitable[bool]],
        last_line_at: Callable[[], float],
        on_lost: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._last_line_at = last_line_at
        self._on_lost = on_lost
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._last_probe = clock()
        self._probing: asyncio.Future[bool] | None = None
        self._confirming: asyncio.Task[None] | None = None
        self.lost = False
        self.probes = 0

    def start(self) -> None:
        """Start watching (on the loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="node-watch")

    async def stop(self) -> None:
        """Stop watching; a probe in flight is abandoned (its thread ends by its deadline)."""
        task, self._task = self._task, None
        probing, self._probing = self._probing, None
        if probing is not None:
            probing.cancel()
        confirming, self._confirming = self._confirming, None
        if confirming is not None:
            confirming.cancel()
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ------------------------------------------------------------------ what the link reports

    def stream_failed(self, exc: BaseException) -> None:
        """A reconnect of the event stream failed."""
        if is_not_answering(exc):
            self._confirm(f"the event stream could not reconnect ({exc}) and the status "
                          "check got no answer")

    def refresh_failed(self, exc: BaseException) -> None:
        """A token refresh failed (it will be retried)."""
        if is_not_answering(exc):
            self._confirm(f"a token refresh got no answer ({type(exc).__name__}) and the "
                          "status check got none either")

    def _confirm(self, why: str) -> None:
        """Probe now; lost if the node does not answer that either."""
        if self.lost or self._task is None or (
                self._confirming is not None and not self._confirming.done()):
            return

        async def confirm() -> None:
            if not await self._probe_once():
                self._lose(why)

        self._confirming = asyncio.get_running_loop().create_task(confirm(), name="node-confirm")

    async def check(self) -> bool:
        """Probe now (the media call failed): False, and `on_lost`, when the node is silent."""
        if self.lost:
            return False
        if not await self._probe_once():
            self._lose("no answer to a status check after the media call failed")
            return False
        return True

    # ------------------------------------------------------------------ the watch itself

    async def _run(self) -> None:
        while not self.lost:
            await asyncio.sleep(TICK_SECONDS)
            now = self._clock()
            silent_for = now - self._last_line_at()
            if silent_for < SILENCE_SECONDS or now - self._last_probe < PROBE_INTERVAL:
                continue
            if not await self._probe_once() and self._clock() - self._last_line_at() >= (
                    SILENCE_SECONDS):
                self._lose(f"the event stream was silent for {silent_for:.0f} s and the "
                           "status check got no answer")

    async def _probe_once(self) -> bool:
        # One probe at a time: a media failure during a silence probe shares its answer.
        if self._probing is None:
            self._last_probe = self._clock()
            self.probes += 1
            self._probing = asyncio.ensure_future(self._probe())
        probing = self._probing
        try:
            return await asyncio.shield(probing)
        finally:
            if probing.done() and self._probing is probing:
                self._probing = None

    def _lose(self, why: str) -> None:
        if self.lost:
            return
        self.lost = True
        log.warning("The meeting service is not answering: %s", why)
        try:
            self._on_lost(why)
        except Exception:
            log.exception("Node loss callback failed")
