"""The meeting's server-sent events, turned into roster, conference and call changes.

`MeetingEvents` keeps the roster and the conference state of one join up to date
and tells the session, through `MeetingEventHandlers`, only what it must act on.
A malformed or unknown event is logged and ignored: the node (or anything
pretending to be one) can never break the session with an event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.infinity.errors import InfinityError
from kiosk.infinity.models import ConferenceState, Event, Participant
from kiosk.session.meeting_view import VIEW_EVENTS
from kiosk.session.roster import Roster

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeetingEventHandlers:
    """What the session does when an event changes something (called on the loop thread)."""

    roster_changed: Callable[[bool], None]  # True when this room's own entry changed
    conference_changed: Callable[[ConferenceState], None]
    disconnected: Callable[[Any], None]  # the node's reason, as it gave it (text or not)
    call_disconnected: Callable[[str], None]  # the call uuid the node ended
    refresh_requested: Callable[[], None]
    server_offer: Callable[[str], None]  # a new SDP offer (new_offer / update_sdp)
    # presentation, layout, stage and live captions events (kiosk.session.meeting_view)
    view_event: Callable[[Event], None] = lambda _event: None
    # Any other event: True when handled (kiosk.session.extra_events); raises on a bad payload.
    extra: Callable[[Event], bool] | None = None
    call_end_reason: Callable[[str], None] | None = None  # the reason of a call_disconnected


class MeetingEvents:
    """The roster and the conference state of one join, kept current by its events."""

    def __init__(self, handlers: MeetingEventHandlers, own_uuid: str = "") -> None:
        self._handlers = handlers
        self.roster = Roster(own_uuid)
        self.conference = ConferenceState()

    def handle(self, event: Event) -> None:
        """Act on one event; a malformed one is logged and ignored."""
        try:
            self._dispatch(event)
        except (InfinityError, KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("Ignored a malformed %r event (%s)", getattr(event, "name", "?"),
                        type(exc).__name__)
        except Exception:
            log.exception("Ignored an event that could not be handled")

    def _dispatch(self, event: Event) -> None:
        name, data = event.name, event.data
        handlers = self._handlers
        if name == "participant_sync_begin":
            self.roster.begin_sync()
        elif name == "participant_sync_end":
            self.roster.end_sync()
            handlers.roster_changed(False)
        elif name in ("participant_create", "participant_update"):
            participant = Participant.parse(data)
            self.roster.upsert(participant)
            handlers.roster_changed(participant.uuid == self.roster.own_uuid)
        elif name == "participant_delete":
            self.roster.remove(_text_field(data, "uuid"))
            handlers.roster_changed(False)
        elif name == "conference_update":
            self.conference = ConferenceState.parse(data, self.conference)
            handlers.conference_changed(self.conference)
        elif name == "disconnect":
            reason = data.get("reason") if isinstance(data, dict) else None
            log.info("The node disconnected this room")
            handlers.disconnected(reason)
        elif name == "call_disconnected":
            call_uuid = _text_field(data, "call_uuid")
            if handlers.call_end_reason is not None:
                handlers.call_end_reason(str(data.get("reason") or ""))
            handlers.call_disconnected(call_uuid)
        elif name == "refresh_token":
            handlers.refresh_requested()
        elif name in ("new_offer", "update_sdp"):
            sdp = _text_field(data, "sdp")
            if sdp.strip():
                handlers.server_offer(sdp)
        elif name in VIEW_EVENTS:
            handlers.view_event(event)
        elif handlers.extra is None or not handlers.extra(event):
            log.debug("Ignored event %r", name)


def _text_field(data: Any, key: str) -> str:
    """A string field of an event payload; a wrong shape is a ValueError (ignored event)."""
    if not isinstance(data, dict):
        raise ValueError(f"event data is not an object (looking for {key!r})")
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key!r} is not a string")
    return value
