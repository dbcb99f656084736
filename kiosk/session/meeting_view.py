"""The meeting beyond its people, for one join: presentation, layouts, speaker, captions.

`MeetingViewTracker` takes the events that concern what the room shows
(`presentation_*`, `layout`, `stage`, `live_captions`) and the room's actions on
them, and publishes `SessionSnapshot.view`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.models import ConferenceState, Event, Token
from kiosk.infinity.view_models import LayoutEvent, LiveCaption, PresentationStart, parse_stage
from kiosk.media.interface import MediaCall, VideoOutput
from kiosk.meeting_view_state import MeetingView
from kiosk.session.captions import LiveCaptions
from kiosk.session.layouts import LayoutPicker
from kiosk.session.presentation import PresentationReceiver
from kiosk.session.roster import Roster

log = logging.getLogger(__name__)

VIEW_EVENTS = frozenset({"presentation_start", "presentation_stop", "presentation_frame",
                         "layout", "stage", "live_captions"})


class MeetingViewTracker:
    """What the room shows of one meeting; `publish(view)` after every change."""

    def __init__(
        self,
        client: InfinityClient,
        alias: str,
        presentation_mode: str,
        token: Callable[[], Token | None],
        media: Callable[[], MediaCall | None],
        roster: Callable[[], Roster],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        publish: Callable[[MeetingView], None],
    ) -> None:
        self._token = token
        self._roster = roster
        self._spawn = spawn
        self._publish = publish
        self.view = MeetingView()
        self.presentation = PresentationReceiver(
            client, alias, presentation_mode, token, media, spawn,
            on_change=lambda state: self._update(presentation=state))
        self.layouts = LayoutPicker(client, alias, lambda c: self._update(layouts=c))
        self.captions = LiveCaptions(client, alias, lambda c: self._update(captions=c))

    @property
    def presentation_video(self) -> VideoOutput | None:
        """The slides to draw now, if any."""
        return self.presentation.output

    def handle(self, event: Event) -> None:
        """One of VIEW_EVENTS (a malformed one raises; the event dispatcher logs it)."""
        name = event.name
        if name == "presentation_start":
            self.presentation.on_start(PresentationStart.parse(event.data))
        elif name == "presentation_stop":
            self.presentation.on_stop()
        elif name == "presentation_frame":
            self.presentation.on_frame(event.id)
        elif name == "layout":
            self.layouts.on_event(LayoutEvent.parse(event.data))
        elif name == "stage":
            self._on_stage(event.data)
        elif name == "live_captions":
            self.captions.on_caption(LiveCaption.parse(event.data))

    def on_conference(self, conference: ConferenceState) -> None:
        """`conference_update` (captions availability)."""
        self.captions.on_conference(conference)

    def on_joined(self, token: Token) -> None:
        """In the meeting (again): a host room loads the layouts."""
        if token.role.value == "HOST":
            self._spawn(self.layouts.load(token))

    def on_call_changed(self) -> None:
        """A call was set up or replaced."""
        self.presentation.refresh()

    def close(self) -> None:
        """The join ended."""
        self.presentation.close()

    def _on_stage(self, data: Any) -> None:
        speaking = next((e for e in parse_stage(data) if e.speaking), None)
        name = ""
        if speaking is not None:
            participant = next((p for p in self._roster().participants
                                if p.uuid == speaking.participant_uuid), None)
            name = participant.display_name if participant is not None else ""
        self._update(speaker_name=name)

    def _update(self, **changes: Any) -> None:
        view = replace(self.view, **changes)
        if view != self.view:
            self.view = view
            self._publish(view)
