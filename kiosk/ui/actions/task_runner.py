"""Runs the session's async actions from Kivy callbacks, never letting an exception escape.

A failure the session did not turn into an ERROR state is logged with its
traceback (to the log, never to the screen) and reported through `on_unexpected`
so the app can show its Error screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskRunner:
    """Starts coroutines as tasks on the running loop and keeps them referenced until done."""

    def __init__(self, on_unexpected: Callable[[str, BaseException], None]) -> None:
        self._on_unexpected = on_unexpected
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(self, what: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start `coro` (named `what` in logs) on the current event loop."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._finished(what, t))
        return task

    def _finished(self, what: str, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("UI action %s failed", what, exc_info=exc)
            self._on_unexpected(what, exc)

    @property
    def pending(self) -> int:
        """How many actions are still running."""
        return len(self._tasks)

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait (bounded) for running actions to finish, then cancel the rest."""
        tasks = list(self._tasks)
        if not tasks:
            return
        _done, still = await asyncio.wait(tasks, timeout=timeout)
        for task in still:
            task.cancel()
