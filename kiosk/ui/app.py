"""The kiosk's Kivy app: builds the screens, follows the session, routes taps to actions.

Runs inside asyncio (`App.async_run(async_lib="asyncio")`): session actions are
started as tasks on the same loop, observers are called on it, so every widget
change happens on the main thread. The UI never does HTTP itself.

The app only wires its parts together; screens reach them as `app.<part>`:
`actions` (what taps do to the meeting), `room` (host controls, volume),
`calendar_joins` (joining from the calendar), `admin` (the admin screens),
`status` (Home's status line, diagnostics), `idle` (dimming, waking), and
`kiosk.ui.navigation` (which screen shows when), `kiosk.ui.device` (window glue).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.admin_lockout import AdminLockout, admin_lockout_for
from kiosk.config import Settings
from kiosk.media.interface import MediaCall
from kiosk.room_audio.room_volume import RoomVolume
from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.actions.meeting_actions import MeetingActions
from kiosk.ui.actions.room_controls import RoomControls
from kiosk.ui.actions.task_runner import TaskRunner
from kiosk.ui.admin.admin_actions import AdminActions, ExitRequest
from kiosk.ui.admin.admin_gate import AdminGate
from kiosk.ui.admin.room_status import RoomStatus
from kiosk.ui.calendar import agenda_words
from kiosk.ui.calendar.agenda_presenter import AgendaPresenter
from kiosk.ui.calendar.calendar_feed import CalendarFeed
from kiosk.ui.calendar.calendar_joins import CalendarJoinHooks, CalendarJoins
from kiosk.ui.device.display_pacer import DisplayPacer
from kiosk.ui.device.exception_guard import KeepRunning
from kiosk.ui.device.fonts import register_fonts
from kiosk.ui.device.input_guard import InputGuard, InputHooks
from kiosk.ui.device.kv_files import load_kv_files
from kiosk.ui.device.pending_layouts import cancel_pending_layouts, cancel_ui_callbacks
from kiosk.ui.device.room_idle import RoomIdle
from kiosk.ui.launch.launch_options import LaunchOptions
from kiosk.ui.navigation.screen_names import ScreenName
from kiosk.ui.navigation.screen_router import LocalMode, UiContext, screen_for
from kiosk.ui.navigation.screen_stack import ScreenStack
from kiosk.ui.navigation.ui_state import UiState
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.session_port import SessionPort
from kiosk.ui.theme import THEME, Theme

log = logging.getLogger(__name__)


class KioskApp(App):
    """The full-screen room kiosk."""

    u = NumericProperty(1.0)  # design pixels (800x480) -> window pixels
    theme = ObjectProperty(THEME)
    use_kivy_settings = False  # no Kivy panel in the (never shown) settings

    def __init__(
        self,
        settings: Settings,
        session: SessionPort,
        options: LaunchOptions | None = None,
        theme: Theme = THEME,
        calendar: CalendarFeed | None = None,
        admin_lockout: AdminLockout | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.title = theme.texts.app_title
        self.settings = settings
        self.session = session
        self.options = options or LaunchOptions()
        self.theme = theme
        self.ui = UiState(session.snapshot, self._render)
        self.runner = TaskRunner(self._on_unexpected)
        self.actions = MeetingActions(session, self.runner)
        self.room = RoomControls(session, self.runner, RoomVolume(
            settings.state_dir, settings.volume_default, settings.speaker))
        self.idle = RoomIdle(settings, self.ui,
                             home_shown=lambda: self.current_screen is ScreenName.HOME)
        self.status = RoomStatus(settings, session, self.runner, self.ui, lambda: self.theme,
                                 home=lambda: self.home if self.manager is not None else None)
        # The room's calendar (kiosk.ui.calendar): the agenda on Home, joins and auto-join.
        self.calendar = calendar if calendar is not None else CalendarFeed.from_settings(settings)
        self.calendar_joins = CalendarJoins(self.calendar, session, self.runner, self.ui,
                                            CalendarJoinHooks(
            subject=lambda meeting: agenda_words.subject(meeting, self.theme.texts),
            show_countdown=lambda name, seconds: self.home.show_countdown(name, seconds),
            wake=self.idle.wake))
        self.agenda = AgendaPresenter(
            self.calendar, dt.timedelta(minutes=settings.calendar.join_early_minutes),
            draw=lambda view, status: self.home.show_agenda(view, status, self.calendar.zone),
            on_view=self.calendar_joins.consider_auto_join if settings.calendar.auto_join
            else None)
        self.admin = AdminActions(
            AdminGate(settings.admin_pin, admin_lockout or admin_lockout_for(settings)),
            self.ui, rows=lambda: self.status.diagnostics(self.calendar, self.agenda),
            stop_app=self.stop)
        self._unsubscribe: Callable[[], None] | None = None
        self._exception_guard = KeepRunning(lambda exc: self._on_unexpected("ui", exc))
        self._input = InputGuard(
            InputHooks(
                is_idle=lambda: self.idle.is_idle,
                wake=self.idle.wake,
                activity=self._on_activity,
                screen_key=self._screen_key,
                may_close=lambda: (self.options.allow_exit
                                   or self.admin.exit_request is not ExitRequest.NONE),
            ),
            allow_exit=self.options.allow_exit,
        )
        self._pacer = DisplayPacer()
        self._stack: ScreenStack | None = None
        self.manager: ScreenManager | None = None

    # ------------------------------------------------------------------ building

    def build(self) -> ScreenManager:
        register_fonts(self.theme.fonts)
        load_kv_files()
        self._rescale()
        manager = ScreenManager(transition=NoTransition())
        self._stack = ScreenStack(manager)
        self.manager = manager
        # Home first (the start-up time people see); the rest after the first frames.
        home = self.home
        home.room_name = self.settings.display_name
        home.admin_enabled = self.admin.gate.enabled
        home.calendar_enabled = self.calendar.enabled
        home.set_meetings(self.settings.all_meetings())
        if self.settings.show_demo_pins:
            home.demo_hints = list(self.options.demo_hints)
        Window.bind(size=self._rescale)
        self._input.bind()
        self._exception_guard.install()
        self._unsubscribe = self.session.subscribe(self._on_snapshot)
        self.room.start()
        self._render()
        if self.calendar.enabled:
            self.agenda.refresh()
        return manager

    def on_start(self) -> None:
        self._pace_display()
        self.idle.watch.start()
        self.calendar.start(self.agenda.calendar_changed)
        if self._stack is not None:
            self._stack.prebuild(still_running=lambda: App.get_running_app() is self)

    def on_stop(self) -> None:
        if self._stack is not None:
            self._stack.cancel()
        self.calendar.cancel()
        self.agenda.stop()
        self.calendar_joins.stop()
        if self.manager is not None and self.manager.current_screen is not None:
            # The screen on top stops its timers and video pulls, as when it is left.
            self.manager.current_screen.dispatch("on_leave")
        cancel_pending_layouts(self.manager)  # none may run once the app is gone
        self._pacer.stop()
        self.room.stop()
        self.idle.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._exception_guard.uninstall()
        Window.unbind(size=self._rescale)
        self._input.unbind()

    def stop(self, *args: object) -> None:
        """Stop the app; none of its clock callbacks runs after that (`pending_layouts`)."""
        super().stop(*args)
        cancel_ui_callbacks(Clock)

    def open_settings(self, *_args: object) -> bool:
        """Kivy's settings panel (F1) never opens on a kiosk (`key_lockdown`)."""
        return False

    def display_settings(self, _settings: object) -> bool:
        """Nothing of Kivy's settings is ever shown."""
        return False

    def _rescale(self, *_args: object) -> None:
        self.u = self.theme.scale_for(*Window.size)

    # ------------------------------------------------------------------ screens

    def screen(self, name: ScreenName) -> KioskScreen:
        """One of the app's screens (built the first time it is needed)."""
        assert self._stack is not None, "screens exist once the app is built"
        return self._stack.screen(name)

    @property
    def home(self) -> HomeScreen:
        """The home screen."""
        return self.screen(ScreenName.HOME)  # type: ignore[return-value]

    @property
    def current_screen(self) -> ScreenName:
        """The screen on top now."""
        assert self.manager is not None
        return ScreenName(self.manager.current)

    @property
    def context(self) -> UiContext:
        """The UI's local routing context (mode, error dismissed)."""
        return self.ui.context

    def meeting_title(self, snapshot: SessionSnapshot) -> str:
        """The meeting's name: the node's, the calendar's, the configured label or the alias."""
        if snapshot.conference_name:
            return snapshot.conference_name
        calendar_title = self.calendar_joins.title(snapshot.alias)
        if calendar_title is not None:
            return calendar_title
        for meeting in self.settings.all_meetings():
            if meeting.alias == snapshot.alias:
                return meeting.label
        return snapshot.alias

    def media_call(self) -> MediaCall | None:
        """The session's current call, whose video the call screens show."""
        return self.session.media_call

    def _on_snapshot(self, snapshot: SessionSnapshot) -> None:
        previous = self.ui.receive(snapshot)
        if snapshot.error is not None and snapshot.state is SessionState.ERROR:
            self.status.last_error = snapshot.error.message
        changes: dict[str, object] = {}
        if snapshot.state is not SessionState.ERROR and previous.state is SessionState.ERROR:
            changes["error_dismissed"] = False
        self.calendar_joins.follow(previous, snapshot)
        if snapshot.state not in (SessionState.IDLE, SessionState.ERROR):
            # A meeting in progress: whatever the room was doing locally is over.
            changes["mode"] = LocalMode.HOME
            changes["unexpected_error"] = False
        if changes:
            self.ui.set_context(**changes)
        else:
            self._render()

    def _render(self) -> None:
        if self.manager is None:
            return
        name = screen_for(self.ui.snapshot, self.ui.context)
        screen = self.screen(name)
        screen.update(self.ui.snapshot)
        if self.manager.current != name.value:
            log.info("Screen %s", name.value)
            self.manager.current = name.value
            self._pace_display()
        self.idle.watch.set_armed(name is ScreenName.HOME)

    def _pace_display(self) -> None:
        if self.manager is not None:
            self._pacer.pace(self.current_screen)

    # ------------------------------------------------------------------ local navigation

    def retry(self) -> None:
        """Try again on the Error screen: the same meeting once more."""
        alias = self.ui.snapshot.alias
        self.ui.set_context(error_dismissed=True, unexpected_error=False, mode=LocalMode.HOME)
        request = self.calendar_joins.retry_request(alias)
        if request is not None:
            # A calendar meeting: again with its meeting number, PIN and node.
            self.runner.run("retry", self.session.join_request(request))
        elif alias:
            self.runner.run("retry", self.session.join(alias))

    def dismiss_error(self) -> None:
        """Back on the Error screen (or its 30 s timeout): home, and the session reset."""
        self.ui.set_context(error_dismissed=True, unexpected_error=False, mode=LocalMode.HOME)
        if self.ui.snapshot.state is not SessionState.IDLE:
            self.runner.run("acknowledge error", self.session.leave())

    def open_meeting_id(self) -> None:
        """"Enter meeting ID" on Home."""
        self.ui.set_context(mode=LocalMode.MEETING_ID)

    def close_meeting_id(self) -> None:
        """Cancel on the meeting ID screen."""
        self.ui.set_context(mode=LocalMode.HOME)

    def go_idle_now(self) -> None:
        """Enter idle at once (the demo autopilot's screenshot of the idle screen)."""
        self.idle.go_idle()

    # ------------------------------------------------------------------ input and failures

    def _on_activity(self) -> None:
        self.idle.watch.touch()
        self._pace_display()

    def _screen_key(self, keycode: int, text: str | None) -> bool:
        if self.manager is None:
            return False
        return self.screen(self.current_screen).handle_keyboard(keycode, text)

    def _on_unexpected(self, what: str, exc: BaseException) -> None:
        self.status.last_error = self.theme.texts.error_generic
        self.ui.set_context(unexpected_error=True, error_dismissed=False)
