"""The kiosk's Kivy app: builds the screens, follows the session, routes taps to actions.

Runs inside asyncio (`App.async_run(async_lib="asyncio")`): session actions are
started as tasks on the same loop, observers are called on it, so every widget
change happens on the main thread. The UI never does HTTP itself.

The app only wires its parts together: `MeetingActions` (what taps do to the
meeting), `kiosk.ui.navigation` (which screen shows when), `kiosk.ui.device`
(window input, display rate, backlight, idle) and `kiosk.ui.admin`.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable

from kivy.app import App
from kivy.clock import Clock, ClockEvent
from kivy.core.window import Window
from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.admin_lockout import AdminLockout, admin_lockout_for
from kiosk.calendar.auto_join_policy import AutoJoinPolicy
from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.home_agenda import AgendaView
from kiosk.config import Settings
from kiosk.media.interface import MediaCall
from kiosk.room_audio.room_volume import RoomVolume
from kiosk.session.join_request import JoinRequest
from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.admin.admin_gate import AdminCheck, AdminGate
from kiosk.ui.admin.diagnostics import DiagnosticRow, calendar_rows, collect_diagnostics
from kiosk.ui.calendar import agenda_words
from kiosk.ui.calendar.agenda_presenter import AgendaPresenter
from kiosk.ui.calendar.auto_join_countdown import AutoJoinCountdown
from kiosk.ui.calendar.calendar_feed import CalendarFeed
from kiosk.ui.device.backlight import Backlight
from kiosk.ui.device.device_probe import camera_presence, scan_devices
from kiosk.ui.device.display_pacer import DisplayPacer
from kiosk.ui.device.exception_guard import KeepRunning
from kiosk.ui.device.fonts import register_fonts
from kiosk.ui.device.idle_watch import IdleWatch
from kiosk.ui.device.input_guard import InputGuard, InputHooks
from kiosk.ui.device.kv_files import load_kv_files
from kiosk.ui.device.pending_layouts import cancel_pending_layouts
from kiosk.ui.launch.launch_options import LaunchOptions
from kiosk.ui.meeting_actions import MeetingActions
from kiosk.ui.navigation.screen_names import ScreenName
from kiosk.ui.navigation.screen_registry import SCREEN_CLASSES
from kiosk.ui.navigation.screen_router import LocalMode, UiContext, screen_for
from kiosk.ui.room_controls import RoomControls
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.session_port import SessionPort
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.theme import THEME, Theme

log = logging.getLogger(__name__)

SCREEN_PREBUILD_DELAY = 1.0


class ExitRequest(enum.Enum):
    """How the app was asked to end (from the admin screen)."""

    NONE = "none"
    QUIT = "quit"
    RESTART = "restart"


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
        self.exit_request = ExitRequest.NONE
        self.admin_gate = AdminGate(settings.admin_pin,
                                    admin_lockout or admin_lockout_for(settings))
        self.runner = TaskRunner(self._on_unexpected)
        self.actions = MeetingActions(session, self.runner)
        self.room = RoomControls(session, self.runner, RoomVolume(
            settings.state_dir, settings.volume_default, settings.speaker))
        self.backlight = Backlight.from_setting(settings.backlight)
        self.idle_watch = IdleWatch(settings.idle_seconds, self._go_idle)
        self.node_reachable: bool | None = None
        self.last_error = ""
        self._context = UiContext()
        self._snapshot = session.snapshot
        self._unsubscribe: Callable[[], None] | None = None
        self._exception_guard = KeepRunning(lambda exc: self._on_unexpected("ui", exc))
        self._input = InputGuard(
            InputHooks(
                is_idle=lambda: self._context.mode is LocalMode.IDLE,
                wake=self.wake,
                activity=self._on_activity,
                screen_key=self._screen_key,
                may_close=lambda: (self.options.allow_exit
                                   or self.exit_request is not ExitRequest.NONE),
            ),
            allow_exit=self.options.allow_exit,
        )
        self._pacer = DisplayPacer()
        self._screens: dict[ScreenName, KioskScreen] = {}
        self.manager: ScreenManager | None = None
        self._prebuild_event: ClockEvent | None = None
        # The room's calendar (kiosk.ui.calendar): the agenda on Home, joins and auto-join.
        self.calendar = calendar if calendar is not None else CalendarFeed.from_settings(settings)
        self.agenda = AgendaPresenter(
            self.calendar, dt.timedelta(minutes=settings.calendar.join_early_minutes),
            draw=lambda view, status: self.home.show_agenda(view, status, self.calendar.zone),
            on_view=self._consider_auto_join if settings.calendar.auto_join else None)
        self.auto_join = AutoJoinPolicy()
        self.countdown = AutoJoinCountdown(self._countdown_tick, self._countdown_done)
        self._calendar_titles: dict[str, str] = {}
        self._calendar_join_pending = False
        self._calendar_join_running = False
        self._last_calendar_request: JoinRequest | None = None

    # ------------------------------------------------------------------ building

    def build(self) -> ScreenManager:
        register_fonts(self.theme.fonts)
        load_kv_files()
        self._rescale()
        manager = ScreenManager(transition=NoTransition())
        self.manager = manager
        # Home first (the start-up time people see); the rest after the first frames.
        home = self.screen(ScreenName.HOME)
        home.room_name = self.settings.display_name
        home.admin_enabled = self.admin_gate.enabled
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
        self.idle_watch.start()
        self.calendar.start(self.agenda.calendar_changed)
        self._prebuild_event = Clock.schedule_once(
            self._build_remaining_screens, SCREEN_PREBUILD_DELAY
        )

    def _build_remaining_screens(self, _dt: float) -> None:
        # One screen per frame, so the UI never stalls while they are built.
        self._prebuild_event = None
        missing = [name for name in SCREEN_CLASSES if name not in self._screens]
        if missing and self.manager is not None and App.get_running_app() is self:
            self.screen(missing[0])
            self._prebuild_event = Clock.schedule_once(self._build_remaining_screens, 0)

    def on_stop(self) -> None:
        if self._prebuild_event is not None:
            self._prebuild_event.cancel()
        self.calendar.cancel()
        self.agenda.stop()
        self.countdown.cancel()
        if self.manager is not None and self.manager.current_screen is not None:
            # The screen on top stops its timers and video pulls, as when it is left.
            self.manager.current_screen.dispatch("on_leave")
        cancel_pending_layouts(self.manager)  # none may run once the app is gone
        self._pacer.stop()
        self.room.stop()
        self.idle_watch.stop()
        self.backlight.restore()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._exception_guard.uninstall()
        Window.unbind(size=self._rescale)
        self._input.unbind()

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
        screen = self._screens.get(name)
        if screen is None:
            assert self.manager is not None, "screens exist once the app is built"
            screen = SCREEN_CLASSES[name](name=name.value)
            self._screens[name] = screen
            self.manager.add_widget(screen)
        return screen

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
        return self._context

    def meeting_title(self, snapshot: SessionSnapshot) -> str:
        """The meeting's name: the node's, else the configured label, else the alias."""
        if snapshot.conference_name:
            return snapshot.conference_name
        if snapshot.alias in self._calendar_titles:
            return self._calendar_titles[snapshot.alias]
        for meeting in self.settings.all_meetings():
            if meeting.alias == snapshot.alias:
                return meeting.label
        return snapshot.alias

    def media_call(self) -> MediaCall | None:
        """The session's current call, whose video the call screens show."""
        return self.session.media_call

    def _on_snapshot(self, snapshot: SessionSnapshot) -> None:
        previous = self._snapshot
        self._snapshot = snapshot
        if snapshot.error is not None and snapshot.state is SessionState.ERROR:
            self.last_error = snapshot.error.message
        changes: dict[str, object] = {}
        if snapshot.state is not SessionState.ERROR and previous.state is SessionState.ERROR:
            changes["error_dismissed"] = False
        if snapshot.state is SessionState.CONNECTING and previous.state in (
                SessionState.IDLE, SessionState.ERROR) and not self._calendar_join_running:
            self._last_calendar_request = None  # a join from settings or the keypad
        if snapshot.state not in (SessionState.IDLE, SessionState.ERROR):
            # A meeting in progress: whatever the room was doing locally is over.
            self.countdown.cancel()
            changes["mode"] = LocalMode.HOME
            changes["unexpected_error"] = False
        if changes:
            self._set_context(**changes)
        else:
            self._render()

    def _set_context(self, **changes: object) -> None:
        values = {
            "mode": self._context.mode,
            "error_dismissed": self._context.error_dismissed,
            "unexpected_error": self._context.unexpected_error,
            **changes,
        }
        self._context = UiContext(**values)  # type: ignore[arg-type]
        self._render()

    def _render(self) -> None:
        if self.manager is None:
            return
        name = screen_for(self._snapshot, self._context)
        screen = self.screen(name)
        screen.update(self._snapshot)
        if self.manager.current != name.value:
            log.info("Screen %s", name.value)
            self.manager.current = name.value
            self._pace_display()
        self.idle_watch.set_armed(name is ScreenName.HOME)

    def _pace_display(self) -> None:
        if self.manager is not None:
            self._pacer.pace(self.current_screen)

    # ------------------------------------------------------------------ local navigation

    def retry(self) -> None:
        """Try again on the Error screen: the same meeting once more."""
        alias = self._snapshot.alias
        self._set_context(error_dismissed=True, unexpected_error=False, mode=LocalMode.HOME)
        request = self._last_calendar_request
        if request is not None and request.alias == alias:
            # A calendar meeting: again with its meeting number, PIN and node.
            self.runner.run("retry", self.session.join_request(request))
        elif alias:
            self.runner.run("retry", self.session.join(alias))

    def dismiss_error(self) -> None:
        """Back on the Error screen (or its 30 s timeout): home, and the session reset."""
        self._set_context(error_dismissed=True, unexpected_error=False, mode=LocalMode.HOME)
        if self._snapshot.state is not SessionState.IDLE:
            self.runner.run("acknowledge error", self.session.leave())

    def open_meeting_id(self) -> None:
        """"Enter meeting ID" on Home."""
        self._set_context(mode=LocalMode.MEETING_ID)

    def close_meeting_id(self) -> None:
        """Cancel on the meeting ID screen."""
        self._set_context(mode=LocalMode.HOME)

    # ------------------------------------------------------------------ admin

    def open_admin_unlock(self) -> None:
        """The 5 s press on the room name (only when an admin PIN is set)."""
        if self.admin_gate.enabled and self._context.mode is LocalMode.HOME:
            self._set_context(mode=LocalMode.ADMIN_UNLOCK)

    def unlock_admin(self, pin: str) -> AdminCheck:
        """Check the admin PIN; on success show the diagnostics."""
        result = self.admin_gate.check(pin)
        if result is AdminCheck.GRANTED:
            self._set_context(mode=LocalMode.ADMIN)
        return result

    def close_admin(self) -> None:
        """Leave the admin screens."""
        self._set_context(mode=LocalMode.HOME)

    def diagnostics(self) -> list[DiagnosticRow]:
        """The admin screen's rows."""
        rows = collect_diagnostics(
            self.settings,
            self._snapshot,
            self.node_reachable,
            self.theme.translator.render(self.last_error),
            scan_devices(),
            self.theme.texts,
            render=self.theme.translator.render,
        )
        if self.calendar.enabled:
            rows += calendar_rows(self.calendar.snapshot.status, self.agenda.view,
                                  self.theme.texts, self.calendar.zone)
        return rows

    def quit_to_system(self) -> None:
        """Admin: end the app (the service manager decides what comes next)."""
        if self._context.mode is LocalMode.ADMIN:
            self.exit_request = ExitRequest.QUIT
            self.stop()

    def restart_app(self) -> None:
        """Admin: end the app and start it again."""
        if self._context.mode is LocalMode.ADMIN:
            self.exit_request = ExitRequest.RESTART
            self.stop()

    # ------------------------------------------------------------------ status

    def refresh_status(self) -> None:
        """Update Home's status line: camera presence now, node reachability in the background."""
        if self.manager is None:
            return
        self.home.camera = camera_presence(self.settings, scan_devices())
        if self._snapshot.state in (SessionState.IDLE, SessionState.ERROR):
            self.runner.run("check node", self._check_node())

    async def _check_node(self) -> None:
        reachable = await self.session.check_node()
        self.node_reachable = reachable
        self.home.node_reachable = reachable

    # ------------------------------------------------------------------ calendar

    def join_calendar_meeting(self, meeting: CalendarMeeting) -> None:
        """The big Join of a calendar meeting (or the end of the auto-join countdown)."""
        if self._calendar_join_pending or meeting.address.target is None:
            return
        if self._snapshot.state not in (SessionState.IDLE, SessionState.ERROR):
            return
        self._calendar_join_pending = True
        self.runner.run("calendar join", self._join_calendar(meeting))

    async def _join_calendar(self, meeting: CalendarMeeting) -> None:
        try:
            # The node may be looked up in DNS first: in a worker thread, never on the UI.
            request = await self.calendar.join_request(meeting)
        finally:
            self._calendar_join_pending = False
        if request is None:
            return
        self._calendar_titles[request.alias] = agenda_words.subject(meeting, self.theme.texts)
        self._last_calendar_request = request
        self._calendar_join_running = True
        try:
            await self.session.join_request(request)
        finally:
            self._calendar_join_running = False

    def _consider_auto_join(self, view: AgendaView, now: dt.datetime) -> None:
        """KIOSK_AUTO_JOIN: count down for the meeting whose start has come."""
        if self.countdown.meeting is not None or self._snapshot.state is not SessionState.IDLE:
            return
        if self._context.mode not in (LocalMode.HOME, LocalMode.IDLE):
            return  # someone is typing a meeting ID or in the admin screens: leave them be
        meeting = self.auto_join.due(view, now)
        if meeting is None:
            return
        self.auto_join.mark_offered(meeting)
        log.info("Auto-join: counting down for the meeting starting at %s",
                 meeting.start.strftime("%H:%M"))
        self.wake()
        self.countdown.start(meeting)

    def _countdown_tick(self, meeting: CalendarMeeting | None, seconds: int) -> None:
        name = agenda_words.subject(meeting, self.theme.texts) if meeting is not None else ""
        self.home.show_countdown(name, seconds)

    def _countdown_done(self, meeting: CalendarMeeting) -> None:
        log.info("Auto-join: joining")
        self.join_calendar_meeting(meeting)

    def cancel_auto_join(self) -> None:
        """Cancel on the countdown: the room stays on Home (and is not asked again)."""
        if self.countdown.meeting is not None:
            log.info("Auto-join: cancelled in the room")
        self.countdown.cancel()

    # ------------------------------------------------------------------ idle and input

    def _go_idle(self) -> None:
        if self._context.mode is LocalMode.HOME and self.current_screen is ScreenName.HOME:
            log.info("Idle: dimming")
            self.backlight.dim()
            self._set_context(mode=LocalMode.IDLE)

    def wake(self) -> None:
        """Leave the idle screen (first touch or key)."""
        self.backlight.restore()
        self.idle_watch.touch()
        if self._context.mode is LocalMode.IDLE:
            self._set_context(mode=LocalMode.HOME)

    def go_idle_now(self) -> None:
        """Enter idle at once (the demo autopilot's screenshot of the idle screen)."""
        self._go_idle()

    def _on_activity(self) -> None:
        self.idle_watch.touch()
        self._pace_display()

    def _screen_key(self, keycode: int, text: str | None) -> bool:
        if self.manager is None:
            return False
        return self.screen(self.current_screen).handle_keyboard(keycode, text)

    # ------------------------------------------------------------------ failures

    def _on_unexpected(self, what: str, exc: BaseException) -> None:
        self.last_error = self.theme.texts.error_generic
        self._set_context(unexpected_error=True, error_dismissed=False)
