"""Live captions: offered by the meeting (`conference_update.live_captions_available`),
turned on and off by the room (`show_live_captions` / `hide_live_captions`), and
`live_captions` events kept as the two lines the room reads: the sentence before and
the current one, whose partial text is replaced as it grows and then by its final text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.models import ConferenceState, Token, yes_no
from kiosk.infinity.view_models import LiveCaption
from kiosk.meeting_view_state import CaptionsState

log = logging.getLogger(__name__)


class LiveCaptions:
    """Captions of one join; `on_change(state)` after every change."""

    def __init__(self, client: InfinityClient, alias: str,
                 on_change: Callable[[CaptionsState], None]) -> None:
        self._client = client
        self._alias = alias
        self._on_change = on_change
        self.state = CaptionsState()
        self._final = ""  # the last final sentence
        self._current = ""  # the sentence being spoken (partial) or just finished

    def on_conference(self, conference: ConferenceState) -> None:
        """`conference_update`: captions may have become (un)available."""
        raw = conference.extra.get("live_captions_available", False)
        available = yes_no(raw)
        if available != self.state.available:
            shown = self.state.shown and available
            self._set(CaptionsState(available=available, shown=shown,
                                    lines=self.state.lines if shown else ()))

    async def set_shown(self, token: Token, shown: bool) -> None:
        """Ask the node to start or stop the room's captions; raises the client's errors."""
        await asyncio.to_thread(self._client.set_live_captions, self._alias,
                                token.participant_uuid, token.token, shown)
        self._final = self._current = ""
        self._set(CaptionsState(available=self.state.available, shown=shown, lines=()))

    def on_caption(self, caption: LiveCaption) -> None:
        """A `live_captions` event."""
        if not self.state.shown or not caption.data:
            return
        if caption.is_final:
            # Shown in place of its partial text; the next partial starts a new line below it.
            lines = (self._final, caption.data)
            self._final, self._current = caption.data, ""
        else:
            self._current = caption.data
            lines = (self._final, self._current)
        self._set(CaptionsState(self.state.available, True, tuple(x for x in lines if x)))

    def _set(self, state: CaptionsState) -> None:
        if state != self.state:
            self.state = state
            self._on_change(state)
