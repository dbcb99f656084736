"""The meeting's layout for a host room: what may be chosen, the node's thumbnails, the choice.

Loaded once a host is in the meeting (`GET available_layouts` and `layout_svgs`);
`choose` sends `POST transform_layout`, and the selection follows the node's
`layout` events, never the button alone: the node has the last word.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError
from kiosk.infinity.models import Token
from kiosk.infinity.view_models import LayoutEvent
from kiosk.meeting_view_state import LayoutChoice

log = logging.getLogger(__name__)

LOAD_TIMEOUT = 10.0


class LayoutPicker:
    """Layouts of one join; `on_change(choice)` after every change."""

    def __init__(self, client: InfinityClient, alias: str,
                 on_change: Callable[[LayoutChoice], None]) -> None:
        self._client = client
        self._alias = alias
        self._on_change = on_change
        self.choice = LayoutChoice()
        self._loaded = False

    async def load(self, token: Token) -> None:
        """Fetch the layouts and thumbnails once (a failure leaves the picker empty)."""
        if self._loaded:
            return
        self._loaded = True
        try:
            # One worker thread for both: nothing is left behind if the join is cancelled.
            available, svgs = await asyncio.wait_for(
                asyncio.to_thread(self._fetch, token), LOAD_TIMEOUT)
        except (InfinityError, TimeoutError) as exc:
            log.info("Layouts not offered: %s", type(exc).__name__)
            self._loaded = False  # a later role change may try again
            return
        thumbnails = tuple((layout, svgs[layout]) for layout in available if layout in svgs)
        log.info("Layouts offered: %s", ", ".join(available))
        self._set(LayoutChoice(available=available, thumbnails=thumbnails,
                               current=self.choice.current))

    def _fetch(self, token: Token) -> tuple[tuple[str, ...], dict[str, str]]:
        return (self._client.available_layouts(self._alias, token.token),
                self._client.layout_svgs(self._alias, token.token))

    def on_event(self, event: LayoutEvent) -> None:
        """A `layout` event: the meeting now shows this layout."""
        if event.layout and event.layout != self.choice.current:
            self._set(LayoutChoice(self.choice.available, self.choice.thumbnails, event.layout))

    async def choose(self, token: Token, layout: str) -> None:
        """Ask the node for `layout`; raises the client's typed errors."""
        if layout not in self.choice.available:
            raise ValueError(f"{layout!r} is not one of the offered layouts")
        await asyncio.to_thread(self._client.transform_layout, self._alias, token.token, layout)

    def _set(self, choice: LayoutChoice) -> None:
        if choice != self.choice:
            self.choice = choice
            self._on_change(choice)
