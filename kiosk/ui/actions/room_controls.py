"""The panel's controls over the meeting and the room's volume, started from taps.

Screens and widgets call these as `app.room.<name>(...)`: host actions run as
guarded tasks on the session (their results come back in the snapshot), the
volume changes at once, and the roster reaches whoever watches it batched, as
the session publishes it.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.room_audio.room_volume import RoomVolume
from kiosk.session.room_view import HostAction, RosterView
from kiosk.ui.actions.task_runner import TaskRunner
from kiosk.ui.session_port import SessionPort


class RoomControls:
    """Host controls, the room's hand, "Ask for help", the volume and the roster feed."""

    def __init__(self, session: SessionPort, runner: TaskRunner, volume: RoomVolume) -> None:
        self._session = session
        self._runner = runner
        self.volume = volume
        self._roster_watchers: list[Callable[[RosterView], None]] = []
        self._unsubscribe: Callable[[], None] | None = None
        self.confirm_remove: Callable[[str, str], None] | None = None  # set by the panel

    # ------------------------------------------------------------------ roster

    def start(self) -> None:
        """Follow the session's roster (once the app is built)."""
        if self._unsubscribe is None:
            self._unsubscribe = self._session.subscribe_roster(self._on_roster)
        self._runner.run("volume", self.volume.start())

    def stop(self) -> None:
        """Stop following the roster; release the mixer."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.volume.close()

    def watch_roster(self, callback: Callable[[RosterView], None]) -> None:
        """Call `callback(view)` with every published roster (and the current one now)."""
        self._roster_watchers.append(callback)
        callback(self._session.roster)

    def _on_roster(self, view: RosterView) -> None:
        for callback in list(self._roster_watchers):
            callback(view)

    # ------------------------------------------------------------------ actions

    def act(self, action: HostAction, participant_uuid: str = "") -> None:
        """Send one panel action to the meeting."""
        self._runner.run(action.value, self._session.host_action(action, participant_uuid))

    def admit(self, participant_uuid: str) -> None:
        """Let one waiting guest in."""
        self.act(HostAction.ADMIT, participant_uuid)

    def admit_all(self) -> None:
        """Let everyone waiting in."""
        self.act(HostAction.ADMIT_ALL)

    def set_locked(self, locked: bool) -> None:
        """Lock or unlock the meeting."""
        self.act(HostAction.LOCK if locked else HostAction.UNLOCK)

    def set_guests_muted(self, muted: bool) -> None:
        """Mute (or unmute) every guest."""
        self.act(HostAction.MUTE_GUESTS if muted else HostAction.UNMUTE_GUESTS)

    def mute(self, participant_uuid: str) -> None:
        """Mute one participant."""
        self.act(HostAction.MUTE, participant_uuid)

    def request_remove(self, participant_uuid: str, name: str) -> None:
        """The remove button of a row: ask first (the panel shows the question)."""
        if self.confirm_remove is not None:
            self.confirm_remove(participant_uuid, name)

    def remove(self, participant_uuid: str) -> None:
        """Remove one participant (confirmed)."""
        self.act(HostAction.REMOVE, participant_uuid)

    def lower_all_hands(self) -> None:
        """Lower every raised hand."""
        self.act(HostAction.LOWER_ALL_HANDS)

    def set_hand_raised(self, raised: bool) -> None:
        """Raise or lower the room's own hand."""
        self.act(HostAction.RAISE_HAND if raised else HostAction.LOWER_HAND)

    def ask_for_help(self) -> None:
        """In a breakout room: ask the host to come."""
        self.act(HostAction.ASK_FOR_HELP)

    # ------------------------------------------------------------------ volume

    def change_volume(self, level: float) -> int:
        """The slider moved."""
        return self.volume.set(level)

    def step_volume(self, direction: int) -> int:
        """The - or + button."""
        return self.volume.step(direction)
