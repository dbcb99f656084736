"""The asyncio bookkeeping of one session: its loop, join step, background jobs and callbacks.

Everything a join starts is registered here so that leaving can stop it, and
every callback is tied to the join *generation* it was made for: once that join
has ended (`stop_all`) or a new one began (`next_generation`), late callbacks
from the event-stream thread, the media layer or the token refresher are
dropped instead of acting on the wrong join.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class SessionTasks:
    """The current join step, background jobs, the ticker and callbacks of one session."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._generation = 0
        self._step: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        # Tasks that must outlive a teardown (releasing a token a cancelled join obtained).
        self._orphans: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ loop and generations

    def bind_loop(self) -> None:
        """Remember the running loop: callbacks from other threads are handed to it."""
        self._loop = asyncio.get_running_loop()

    @property
    def generation(self) -> int:
        """Which join is current; it changes whenever a join begins or ends."""
        return self._generation

    def next_generation(self) -> None:
        """A new join begins: callbacks made for earlier ones are ignored from now on."""
        self._generation += 1

    def from_thread(self, fn: Callable[..., None]) -> Callable[..., None]:
        """`fn` as a callback for another thread: it runs on the loop, unless this join
        has ended by then."""
        current = self.while_current(fn)

        def hop(*args: Any) -> None:
            loop = self._loop
            if loop is None or loop.is_closed():
                return
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(current, *args)

        return hop

    def while_current(self, fn: Callable[..., None]) -> Callable[..., None]:
        """`fn` as a callback on the loop that does nothing once this join has ended."""
        generation = self._generation

        def call(*args: Any) -> None:
            if generation == self._generation:
                fn(*args)

        return call

    # ------------------------------------------------------------------ the join step

    @property
    def step_running(self) -> bool:
        """True while a join step (token request, call set-up) is in progress."""
        return self._step is not None and not self._step.done()

    @property
    def has_step(self) -> bool:
        """True from the start of a join step until it has been collected."""
        return self._step is not None

    async def run_step(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a join step as its own task: `stop_all()` cancels it, and it goes on to a
        settled state even if the caller stops waiting for it (shielded)."""
        step = self._step = asyncio.get_running_loop().create_task(coro, name="session-step")
        try:
            await asyncio.shield(step)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # our caller is being cancelled, not just the step
        finally:
            if self._step is step:
                self._step = None

    async def run_abandonable(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_abandoned: Callable[[T], Coroutine[Any, Any, None]],
    ) -> T:
        """Run blocking `fn` in a thread. If the caller is cancelled meanwhile, the late
        result goes to `on_abandoned` in a task that outlives every teardown."""
        call = asyncio.ensure_future(asyncio.to_thread(fn, *args))
        try:
            return await asyncio.shield(call)
        except asyncio.CancelledError:
            call.add_done_callback(lambda done: self._abandoned(done, on_abandoned))
            raise

    def _abandoned(
        self, done: asyncio.Future[T], on_abandoned: Callable[[T], Coroutine[Any, Any, None]]
    ) -> None:
        if done.cancelled() or done.exception() is not None:
            return
        task = asyncio.get_running_loop().create_task(on_abandoned(done.result()))
        self._orphans.add(task)
        task.add_done_callback(self._orphans.discard)

    # ------------------------------------------------------------------ background jobs

    def spawn(
        self, job: Coroutine[Any, Any, None], on_cancelled: Callable[[], None] | None = None
    ) -> None:
        """Run a background job of this join; `stop_all()` cancels it.

        `on_cancelled` runs if it was cancelled: a job cancelled before its first step
        never awaits what it wraps, which must then be closed.
        """
        task = asyncio.get_running_loop().create_task(job)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        if on_cancelled is not None:
            task.add_done_callback(lambda done: on_cancelled() if done.cancelled() else None)

    def start_ticker(self, tick: Callable[[], None], interval: float) -> None:
        """Call `tick()` every `interval` seconds until `stop_all()` (one ticker at a time)."""
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(
                _tick_forever(tick, interval), name="session-tick")

    def stop_all(self) -> list[asyncio.Task[Any]]:
        """End the join: ignore its callbacks from now on and cancel its step, ticker and
        background jobs (except the calling task). Returns the cancelled tasks, so that
        the caller can give them a moment to close what they opened."""
        self._generation += 1
        current = asyncio.current_task()
        step, self._step = self._step, None
        tasks = [t for t in (step, self._ticker, *self._background) if t and t is not current]
        self._ticker = None
        self._background.clear()
        for task in tasks:
            task.cancel()
        return tasks


async def _tick_forever(tick: Callable[[], None], interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            tick()
        except Exception:
            log.exception("Session tick failed")
