"""Waiting as a busy meeting service asks (429, or 503 with Retry-After), with a cap.

A node that says when to try again (Retry-After, on 429/502/503/504/529), or
that says "too many requests" (429, then BUSY_WAIT_DEFAULT), is asked again
after that wait, capped at BUSY_WAIT_CAP; one that is just unavailable with no
hint (a plain 503) is not retried while joining: the room shows it is busy and
the people in it decide. The room is told, in a whole sentence counting down
the seconds, that the service is busy and when the room tries again.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from kiosk.infinity.errors import ServiceUnavailable
from kiosk.session.error_messages import NODE_BUSY_RETRYING

BUSY_WAIT_DEFAULT = 5.0  # seconds, when the node gives no Retry-After
# The longest Retry-After honoured: a room is never left waiting minutes for one try
# (a node or proxy asking for an hour is more likely wrong than meant).
BUSY_WAIT_CAP = 30.0
BUSY_WAIT_MIN = 1.0  # never hammer a busy node, whatever it says


def busy_wait_seconds(exc: ServiceUnavailable) -> float | None:
    """How long to wait before trying again: Retry-After if the node sent one, within
    [BUSY_WAIT_MIN, BUSY_WAIT_CAP]; BUSY_WAIT_DEFAULT for a 429 without one; None when
    the node gave no hint that trying again soon would help."""
    asked = exc.retry_after
    if asked is None or not math.isfinite(asked):
        return BUSY_WAIT_DEFAULT if exc.status == 429 else None
    return min(BUSY_WAIT_CAP, max(BUSY_WAIT_MIN, asked))


async def count_down(seconds: float, show: Callable[[str], None]) -> None:
    """Wait `seconds`, showing "busy — trying again in N s…" once a second."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        shown = math.ceil(left)
        show(NODE_BUSY_RETRYING(seconds=shown))
        await asyncio.sleep(left - (shown - 1))  # until the number shown goes down
