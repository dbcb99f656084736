"""Home: the room's name, clock and date, one Join button per meeting, and a quiet status line."""

from __future__ import annotations

from collections.abc import Sequence

from kivy.clock import Clock, ClockEvent
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from kiosk.config import Meeting
from kiosk.ui.device.device_probe import CameraPresence
from kiosk.ui.screens.clock_screen import ClockScreen


class HomeScreen(ClockScreen):
    """The start screen. The clock and the node check run only while the screen is shown."""

    room_name = StringProperty("")
    node_reachable = ObjectProperty(None, allownone=True)  # None = not checked yet
    camera = ObjectProperty(CameraPresence.MISSING)
    node_text = StringProperty("")
    camera_text = StringProperty("")
    demo_hints = ListProperty([])
    admin_enabled = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self._status_event: ClockEvent | None = None
        self._meetings: tuple[Meeting, ...] = ()
        super().__init__(**kwargs)

    def set_meetings(self, meetings: Sequence[Meeting]) -> None:
        """One large Join button per meeting, in the configured order."""
        self._meetings = tuple(meetings)
        box = self.ids.meetings
        box.clear_widgets()
        texts = self.app.theme.texts
        for meeting in self._meetings:
            button = Factory.JoinButton(
                text=texts.join_meeting.format(name=meeting.label), icon=self.app.theme.icons.video
            )
            button.meeting_alias = meeting.alias
            button.bind(on_release=self._join_pressed)
            button.ids.caption.bind(fitted_size=self._even_captions)
            box.add_widget(button)
        self.ids.no_meetings.opacity = 0 if self._meetings else 1

    def _even_captions(self, *_args: object) -> None:
        # One size for the whole stack: the size the longest caption fits at.
        captions = [button.ids.caption for button in self.ids.meetings.children]
        fitted = [c.fitted_size for c in captions if c.fitted_size > 0]
        for caption in captions:
            caption.ceiling = min(fitted) if fitted else 0

    def join_buttons(self) -> list:
        """The Join buttons, top to bottom (tests and the autopilot use them)."""
        return list(reversed(self.ids.meetings.children))

    def _join_pressed(self, button: object) -> None:
        self.app.actions.join_meeting(button.meeting_alias)  # type: ignore[attr-defined]

    def on_pre_enter(self, *_args: object) -> None:
        super().on_pre_enter()
        self._status_event = Clock.schedule_interval(
            lambda _dt: self.app.refresh_status(), self.app.theme.sizes.node_check_seconds
        )
        self.app.refresh_status()

    def on_leave(self, *_args: object) -> None:
        super().on_leave()
        if self._status_event is not None:
            self._status_event.cancel()
            self._status_event = None

    def on_node_reachable(self, _instance: object, reachable: bool | None) -> None:
        if reachable is None:
            self.node_text = self.app.theme.texts.node_checking
        else:
            texts = self.app.theme.texts
            self.node_text = texts.node_reachable if reachable else texts.node_unreachable

    def on_camera(self, _instance: object, camera: CameraPresence) -> None:
        self.camera_text = {
            CameraPresence.FOUND: self.app.theme.texts.camera_found,
            CameraPresence.TEST: self.app.theme.texts.camera_test,
            CameraPresence.MISSING: self.app.theme.texts.camera_missing,
            CameraPresence.DISABLED: self.app.theme.texts.camera_disabled,
        }[camera]
