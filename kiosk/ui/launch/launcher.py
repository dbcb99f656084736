"""`pexip-kiosk run`: the full-screen kiosk app against the configured node.

`run_kiosk(settings)` prepares Kivy, builds the session (with aiortc media) and
runs the app inside asyncio until the admin quits or restarts it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.config import Settings
from kiosk.session_state import SessionSnapshot
from kiosk.ui.device.heap_trim import HEAP_TRIM_SECONDS, glibc_trimmer
from kiosk.ui.device.kivy_setup import configure_window, prepare_environment
from kiosk.ui.launch.deferred_health import DeferredHealth
from kiosk.ui.launch.deferred_media import DeferredMediaFactory
from kiosk.ui.launch.first_frame import after_first_frame
from kiosk.ui.launch.launch_options import LaunchOptions

if TYPE_CHECKING:
    from kiosk.ui.app import KioskApp

log = logging.getLogger(__name__)

LEAVE_ON_EXIT_SECONDS = 5.0
MEDIA_WARM_UP_DELAY = 0.5
# The health endpoint (aiohttp, prometheus_client: ~0.3 s of imports) starts after Home.
HEALTH_START_DELAY = 0.2
EXIT_OK = 0
# The admin chose "Quit to system": the service unit neither restarts the app on
# this code nor counts it as a failure, and gives the console back.
EXIT_ADMIN_QUIT = 10

AppHook = Callable[["KioskApp"], Awaitable[int]]
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StateStatusReporter:
    """Passes the session's state to `report` (systemd's STATUS=) only when it changes."""

    def __init__(self, report: Callable[[str], object]) -> None:
        self._report = report
        self._last = ""

    def __call__(self, snapshot: SessionSnapshot) -> None:
        """Observer of the session's snapshots."""
        state = snapshot.state.value
        if state != self._last:
            self._last = state
            self._report(state)


def run_kiosk(settings: Settings) -> int:
    """Run the kiosk until the admin quits (exit 10) or restarts it (the process is re-executed)."""
    from kiosk.log_redaction import configure_logging

    prepare_environment()  # before anything imports kivy
    redactor = configure_logging(settings.log_level)
    result = run_app(settings, LaunchOptions(), redactor=redactor)
    if result.restart and os.environ.get("NOTIFY_SOCKET"):
        # Under systemd the process already said STOPPING=1: exit and let Restart=always
        # start a fresh one (re-executing in place would be killed at TimeoutStopSec).
        log.info("Restarting the kiosk app through the service manager")
        return EXIT_OK
    if result.restart:
        log.info("Restarting the kiosk app")
        logging.shutdown()
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    return result.code


@dataclass(frozen=True)
class AppResult:
    """How a run of the app ended: an exit code, and whether a restart was asked for."""

    code: int
    restart: bool


def run_app(
    settings: Settings,
    options: LaunchOptions,
    redactor: object | None = None,
    hook: AppHook | None = None,
) -> AppResult:
    """Prepare Kivy, then run the app and the session on one asyncio loop.

    `hook`, when given, runs as a task beside the app (the demo autopilot); its
    return value becomes the exit code and the app is stopped when it returns.
    """
    prepare_environment()
    configure_window(settings, options)
    return asyncio.run(run_app_async(settings, options, redactor, hook))


async def run_app_async(
    settings: Settings,
    options: LaunchOptions,
    redactor: object | None = None,
    hook: AppHook | None = None,
) -> AppResult:
    """`run_app` on the running loop (Kivy already prepared): the app, the session,
    the health endpoint and systemd notifications, until the app stops."""
    # Imported here: Kivy must see the environment and Config set above first.
    from kivy.clock import Clock, ClockEvent

    from kiosk.admin_lockout import admin_lockout_for
    from kiosk.conference import ConferenceSession
    from kiosk.systemd_notify import SystemdNotifier
    from kiosk.ui.admin.admin_actions import ExitRequest
    from kiosk.ui.app import KioskApp
    from kiosk.ui.room_theme import theme_for

    media = DeferredMediaFactory(settings)  # keeps ICE on 127.0.0.1 for a loopback node
    session = ConferenceSession(
        settings,
        media_factory=media,
        redactor=redactor,  # type: ignore[arg-type]
    )
    health = DeferredHealth(session, settings.health_addr)
    lockout = admin_lockout_for(settings, on_lockout=health.record_admin_lockout)
    app = KioskApp(settings, session, options, admin_lockout=lockout,
                   theme=theme_for(settings))
    notifier = SystemdNotifier()
    unsubscribe_status = session.subscribe(StateStatusReporter(notifier.status))

    clock_events: list[ClockEvent] = []  # cancelled on exit: the Clock outlives this app

    def home_shown() -> None:
        notifier.ready("Home screen shown")
        # Pinged from the Kivy clock: a frozen UI stops the pings and systemd restarts it.
        interval = notifier.watchdog_interval()
        if interval:
            clock_events.append(
                Clock.schedule_interval(lambda _dt: notifier.watchdog_ping(), interval)
            )
        # Counted from the first frame on screen: the imports must not hold up drawing Home.
        clock_events.append(Clock.schedule_once(
            lambda _dt: app.runner.run("health endpoint", health.start()), HEALTH_START_DELAY
        ))
        clock_events.append(Clock.schedule_once(
            lambda _dt: app.runner.run("media warm-up", media.warm_up()), MEDIA_WARM_UP_DELAY
        ))
        trimmer = glibc_trimmer()
        if trimmer is not None:
            clock_events.append(Clock.schedule_interval(
                lambda _dt: app.runner.run("heap trim", asyncio.to_thread(trimmer.trim)),
                HEAP_TRIM_SECONDS,
            ))

    cancels: list[Callable[[], None]] = []
    app.bind(on_start=lambda *_args: cancels.append(after_first_frame(home_shown)))
    hook_task: asyncio.Task[int] | None = None
    if hook is not None:
        hook_task = asyncio.ensure_future(_run_hook(app, hook))
    # `systemctl stop`, a reboot or Ctrl-C: leave the meeting cleanly instead of vanishing.
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, app.stop)
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        notifier.stopping()
        try:
            await asyncio.wait_for(session.leave(), LEAVE_ON_EXIT_SECONDS)
        except (TimeoutError, Exception):
            log.warning("Leaving the meeting on exit did not finish cleanly")
        await app.runner.drain()
        unsubscribe_status()
        await health.stop()
        for cancel in cancels:
            cancel()
        for event in clock_events:
            event.cancel()
        notifier.close()
    code = EXIT_ADMIN_QUIT if app.admin.exit_request is ExitRequest.QUIT else EXIT_OK
    if hook_task is not None:
        if not hook_task.done():
            hook_task.cancel()
        code = await _hook_code(hook_task)
    return AppResult(code=code, restart=app.admin.exit_request is ExitRequest.RESTART)


async def _run_hook(app: KioskApp, hook: AppHook) -> int:
    try:
        return await hook(app)
    finally:
        app.stop()


async def _hook_code(task: asyncio.Task[int]) -> int:
    try:
        return await task
    except asyncio.CancelledError:
        return 1
    except Exception:
        log.exception("The app hook failed")
        return 1
