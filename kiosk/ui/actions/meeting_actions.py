"""The room's actions on its meeting, started from taps: each runs as a guarded task.

Screens call these as `app.actions.<name>(...)`; the session turns every failure
into a state, and the task runner catches anything it did not.
"""

from __future__ import annotations

from kiosk.ui.actions.task_runner import TaskRunner
from kiosk.ui.session_port import SessionPort


class MeetingActions:
    """Join, PIN, meeting number, leave and the in-call buttons, on the session."""

    def __init__(self, session: SessionPort, runner: TaskRunner) -> None:
        self._session = session
        self._runner = runner

    def join_meeting(self, alias: str) -> None:
        """A Join button on Home."""
        self._runner.run("join", self._session.join(alias))

    def dial_meeting_id(self, meeting_id: str) -> None:
        """The meeting ID typed on the keypad, dialled as an alias."""
        self._runner.run("join", self._session.join(meeting_id))

    def submit_pin(self, pin: str) -> None:
        """Join with the PIN typed on the PIN screen."""
        self._runner.run("submit_pin", self._session.submit_pin(pin))

    def join_as_guest(self) -> None:
        """Join without a PIN where guests may."""
        self._runner.run("join_as_guest", self._session.join_as_guest())

    def submit_extension(self, number: str) -> None:
        """The meeting number for a Virtual Reception."""
        self._runner.run("submit_extension", self._session.submit_extension(number))

    def cancel_join(self) -> None:
        """Cancel on the connecting, PIN or meeting-number screens."""
        self._runner.run("cancel", self._session.cancel())

    def leave_call(self) -> None:
        """Leave the meeting (no confirmation)."""
        self._runner.run("leave", self._session.leave())

    def set_microphone_muted(self, muted: bool) -> None:
        """Microphone button of the control bar."""
        self._runner.run("microphone", self._session.set_microphone_muted(muted))

    def set_camera_muted(self, muted: bool) -> None:
        """Camera button of the control bar."""
        self._runner.run("camera", self._session.set_camera_muted(muted))

    def choose_layout(self, layout: str) -> None:
        """A thumbnail of the host's layout picker."""
        self._runner.run("layout", self._session.choose_layout(layout))

    def set_live_captions(self, shown: bool) -> None:
        """The CC button of the control bar."""
        self._runner.run("captions", self._session.set_live_captions(shown))

    def send_dtmf(self, digits: str) -> None:
        """A key of the in-call keypad (the session sends tones in key-press order)."""
        self._runner.run("dtmf", self._session.send_dtmf(digits))
