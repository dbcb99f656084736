"""The meeting's participant list as the event stream describes it.

Rebuilt from scratch at every `participant_sync_begin` (the node replays the
whole roster on each event-stream (re)connect), then kept up to date by
participant_create / update / delete.
"""

from __future__ import annotations

from kiosk.infinity.models import Participant

# Service types of participants that are not (yet) in the meeting itself.
NOT_IN_MEETING = frozenset({"waiting_room", "ivr", "connecting"})


class Roster:
    """Participants by uuid, and which one is this room."""

    def __init__(self, own_uuid: str = "") -> None:
        self.own_uuid = own_uuid
        self._participants: dict[str, Participant] = {}
        self.syncing = False

    def begin_sync(self) -> None:
        """The node is about to replay the roster: forget what we had."""
        self._participants.clear()
        self.syncing = True

    def end_sync(self) -> None:
        """The replay is complete."""
        self.syncing = False

    def upsert(self, participant: Participant) -> None:
        """Add or replace a participant (create and update carry the full object)."""
        self._participants[participant.uuid] = participant

    def remove(self, uuid: str) -> None:
        """Drop a participant; unknown uuids are ignored."""
        self._participants.pop(uuid, None)

    def clear(self) -> None:
        """Forget everyone (the session left)."""
        self._participants.clear()
        self.syncing = False

    @property
    def own(self) -> Participant | None:
        """This room's own roster entry, once the node has sent it."""
        return self._participants.get(self.own_uuid) if self.own_uuid else None

    @property
    def participants(self) -> tuple[Participant, ...]:
        """Everyone the node told us about, in arrival order."""
        return tuple(self._participants.values())

    def count_in_meeting(self) -> int:
        """Participants in the meeting itself, this room included.

        Guests held in the waiting room and callers still on a PIN/IVR screen are
        not counted, so "2 participants" means two endpoints that see each other.
        """
        return sum(1 for p in self._participants.values() if p.service_type not in NOT_IN_MEETING)
