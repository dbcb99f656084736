"""The kiosk's Kivy app: builds the screens, follows the session, turns taps into actions.

Runs inside asyncio (`App.async_run(async_lib="asyncio")`): session actions are
started as tasks on the same loop, observers are called on it, so every widget
change happens on the main thread. The UI never does HTTP itself.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock, ClockEvent
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.config import Settings
from kiosk.media.interface import MediaCall
from kiosk.session_state import SessionSnapshot, SessionState
from kiosk.ui.admin_gate import AdminCheck, AdminGate
from kiosk.ui.backlight import Backlight
from kiosk.ui.device_probe import camera_presence, scan_devices
from kiosk.ui.diagnostics import DiagnosticRow, collect_diagnostics
from kiosk.ui.display_rate import (
    MENU_FPS,
    QUIET_AFTER_SECONDS,
    QUIET_FPS,
    VIDEO_FPS,
    set_display_rate,
)
from kiosk.ui.fonts import register_fonts
from kiosk.ui.idle_watch import IdleWatch
from kiosk.ui.kv_files import load_kv_files
from kiosk.ui.launch_options import LaunchOptions
from kiosk.ui.screen_names import ScreenName
from kiosk.ui.screen_router import LocalMode, UiContext, screen_for
from kiosk.ui.screens.admin import AdminScreen
from kiosk.ui.screens.admin_unlock import AdminUnlockScreen
from kiosk.ui.screens.connecting import ConnectingScreen
from kiosk.ui.screens.error import ErrorScreen
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.idle import IdleScreen
from kiosk.ui.screens.in_call import InCallScreen
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.screens.meeting_id import MeetingIdScreen
from kiosk.ui.screens.pin import PinScreen
from kiosk.ui.screens.waiting import WaitingScreen
from kiosk.ui.session_port import SessionPort
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.theme import THEME, Theme

log = logging.getLogger(__name__)

ESCAPE_KEYCODE = 27  # Escape, and the Android back key

SCREEN_CLASSES: Mapping[ScreenName, type[KioskScreen]] = MappingProxyType({
    ScreenName.HOME: HomeScreen,
    ScreenName.MEETING_ID: MeetingIdScreen,
    ScreenName.PIN: PinScreen,
    ScreenName.CONNECTING: ConnectingScreen,
    ScreenName.WAITING: WaitingScreen,
    ScreenName.IN_CALL: InCallScreen,
    ScreenName.ERROR: ErrorScreen,
    ScreenName.IDLE: IdleScreen,
    ScreenName.ADMIN_UNLOCK: AdminUnlockScreen,
    ScreenName.ADMIN: AdminScreen,
})


VIDEO_SCREENS = frozenset({ScreenName.IN_CALL, ScreenName.WAITING})
# Nothing animates on these: once nobody touches them, fewer display ticks suffice.
SCREEN_PREBUILD_DELAY = 1.0
STILL_SCREENS = frozenset({ScreenName.HOME, ScreenName.IDLE, ScreenName.ADMIN, ScreenName.ERROR})


class ExitRequest(enum.Enum):
    """How the app was asked to end (from the admin screen)."""

    NONE = "none"
    QUIT = "quit"
    RESTART = "restart"


class _KeepRunning(ExceptionHandler):
    """Kivy callback exceptions: log them, show the Error screen, keep the kiosk running."""

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        super().__init__()
        self._on_error = on_error

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        log.error("Unexpected error in the UI", exc_info=inst)
        self._on_error(inst)
        return ExceptionManager.PASS


class KioskApp(App):
    """The full-screen room kiosk."""

    u = NumericProperty(1.0)  # design pixels (800x480) -> window pixels
    theme = ObjectProperty(THEME)

    def __init__(
        self,
        settings: Settings,
        session: SessionPort,
        options: LaunchOptions | None = None,
        theme: Theme = THEME,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.title = theme.texts.app_title
        self.settings = settings
        self.session = session
        self.options = options or LaunchOptions()
        self.theme = theme
        self.exit_request = ExitRequest.NONE
        self.admin_gate = AdminGate(
            settings.admin_pin, settings.pin_max_attempts, settings.pin_cooldown_seconds
        )
        self.runner = TaskRunner(self._on_unexpected)
        self.backlight = Backlight.from_setting(settings.backlight)
        self.idle_watch = IdleWatch(settings.idle_seconds, self._go_idle)
        self.node_reachable: bool | None = None
        self.last_error = ""
        self._context = UiContext()
        self._snapshot = session.snapshot
        self._unsubscribe: Callable[[], None] | None = None
        self._swallowed_touches: set[int] = set()
        self._exception_handler = _KeepRunning(lambda exc: self._on_unexpected("ui", exc))
        self._screens: dict[ScreenName, KioskScreen] = {}
        self.manager: ScreenManager | None = None
        self._quiet_event: ClockEvent | None = None
        self._prebuild_event: ClockEvent | None = None

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
        home.set_meetings(self.settings.all_meetings())
        if self.settings.show_demo_pins:
            home.demo_hints = list(self.options.demo_hints)
        Window.bind(
            size=lambda *_a: self._rescale(),
            on_keyboard=self._on_keyboard,
            on_request_close=self._on_request_close,
            on_touch_down=self._on_window_touch_down,
            on_touch_move=self._on_window_touch_other,
            on_touch_up=self._on_window_touch_up,
        )
        ExceptionManager.add_handler(self._exception_handler)
        self._unsubscribe = self.session.subscribe(self._on_snapshot)
        self._render()
        return manager

    def on_start(self) -> None:
        self._pace_display()
        self.idle_watch.start()
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
        for event in (self._quiet_event, self._prebuild_event):
            if event is not None:
                event.cancel()
        if self.manager is not None and self.manager.current_screen is not None:
            # The screen on top stops its timers and video pulls, as when it is left.
            self.manager.current_screen.dispatch("on_leave")
        set_display_rate(MENU_FPS)
        self.idle_watch.stop()
        self.backlight.restore()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        ExceptionManager.remove_handler(self._exception_handler)
        Window.unbind(
            on_keyboard=self._on_keyboard,
            on_request_close=self._on_request_close,
            on_touch_down=self._on_window_touch_down,
            on_touch_move=self._on_window_touch_other,
            on_touch_up=self._on_window_touch_up,
        )

    def _rescale(self) -> None:
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
        if snapshot.state not in (SessionState.IDLE, SessionState.ERROR):
            # A meeting in progress: whatever the room was doing locally is over.
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
        """Full rate for video and for a screen in use; slower once a still screen is left
        alone (and nothing animates there)."""
        if self._quiet_event is not None:
            self._quiet_event.cancel()
            self._quiet_event = None
        if self.manager is None:
            return
        screen = self.current_screen
        if screen in VIDEO_SCREENS:
            set_display_rate(VIDEO_FPS)
            return
        set_display_rate(MENU_FPS)
        if screen in STILL_SCREENS:
            self._quiet_event = Clock.schedule_once(
                lambda _dt: set_display_rate(QUIET_FPS), QUIET_AFTER_SECONDS
            )

    # ------------------------------------------------------------------ actions

    def join_meeting(self, alias: str) -> None:
        """A Join button on Home."""
        self.runner.run("join", self.session.join(alias))

    def dial_meeting_id(self, meeting_id: str) -> None:
        """The meeting ID typed on the keypad, dialled as an alias."""
        self.runner.run("join", self.session.join(meeting_id))

    def submit_pin(self, pin: str) -> None:
        """Join with the PIN typed on the PIN screen."""
        self.runner.run("submit_pin", self.session.submit_pin(pin))

    def join_as_guest(self) -> None:
        """Join without a PIN where guests may."""
        self.runner.run("join_as_guest", self.session.join_as_guest())

    def submit_extension(self, number: str) -> None:
        """The meeting number for a Virtual Reception."""
        self.runner.run("submit_extension", self.session.submit_extension(number))

    def cancel_join(self) -> None:
        """Cancel on the connecting, PIN or meeting-number screens."""
        self.runner.run("cancel", self.session.cancel())

    def leave_call(self) -> None:
        """Leave the meeting (no confirmation)."""
        self.runner.run("leave", self.session.leave())

    def set_microphone_muted(self, muted: bool) -> None:
        """Microphone button of the control bar."""
        self.runner.run("microphone", self.session.set_microphone_muted(muted))

    def set_camera_muted(self, muted: bool) -> None:
        """Camera button of the control bar."""
        self.runner.run("camera", self.session.set_camera_muted(muted))

    def send_dtmf(self, digits: str) -> None:
        """A key of the in-call keypad."""
        # The session sends tones one at a time, in the order of the key presses.
        self.runner.run("dtmf", self.session.send_dtmf(digits))

    def retry(self) -> None:
        """Try again on the Error screen: the same meeting once more."""
        alias = self._snapshot.alias
        self._set_context(error_dismissed=True, unexpected_error=False, mode=LocalMode.HOME)
        if alias:
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
        return collect_diagnostics(
            self.settings,
            self._snapshot,
            self.node_reachable,
            self.last_error,
            scan_devices(),
            self.theme.texts,
        )

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

    # ------------------------------------------------------------------ idle

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

    # ------------------------------------------------------------------ input

    def _on_window_touch_down(self, _window: object, touch: MotionEvent) -> bool:
        self.idle_watch.touch()
        self._pace_display()
        if self._context.mode is LocalMode.IDLE:
            # The first touch only wakes the screen: it must not press what is under it.
            self._swallowed_touches.add(touch.uid)
            self.wake()
            return True
        return False

    def _on_window_touch_other(self, _window: object, touch: MotionEvent) -> bool:
        return touch.uid in self._swallowed_touches

    def _on_window_touch_up(self, _window: object, touch: MotionEvent) -> bool:
        if touch.uid in self._swallowed_touches:
            self._swallowed_touches.discard(touch.uid)
            return True
        return False

    def _on_keyboard(
        self, _window: object, keycode: int, _scancode: int, text: str | None, _modifiers: object
    ) -> bool:
        if keycode == ESCAPE_KEYCODE:
            return not self.options.allow_exit  # Escape / back never leave a real kiosk
        self.idle_watch.touch()
        self._pace_display()
        if self._context.mode is LocalMode.IDLE:
            self.wake()
            return True
        if self.manager is None:
            return False
        return self.screen(self.current_screen).handle_keyboard(keycode, text)

    def _on_request_close(self, *_args: object, **_kwargs: object) -> bool:
        # True keeps the window open. Only the admin screen (or a demo) may end the app.
        allowed = self.options.allow_exit or self.exit_request is not ExitRequest.NONE
        return not allowed

    # ------------------------------------------------------------------ failures

    def _on_unexpected(self, what: str, exc: BaseException) -> None:
        self.last_error = self.theme.texts.error_generic
        self._set_context(unexpected_error=True, error_dismissed=False)
