"""The admin screen's Quit and Restart: the only way out of the kiosk, through the real launcher.

The app runs as `pexip-kiosk run` runs it (session, health endpoint, systemd
notifier), the admin PIN is typed on the keypad, and the button is tapped; the
launcher must then end with the code the service unit expects.
"""

from __future__ import annotations

import asyncio

import pytest
from ui_harness import ADMIN_PIN, kiosk_settings, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread


@pytest.mark.parametrize(
    ("button", "request_name", "code", "restart"),
    [("quit", "QUIT", 10, False), ("restart", "RESTART", 0, True)],
)
async def test_admin_button_stops_the_app_with_its_exit_request(
    simulator: SimulatorThread,
    sim_settings: Settings,
    button: str,
    request_name: str,
    code: int,
    restart: bool,
) -> None:
    from kivy.app import App

    from kiosk.ui.admin.admin_actions import ExitRequest
    from kiosk.ui.app import KioskApp
    from kiosk.ui.device.kivy_setup import configure_window, prepare_environment
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.launch.launch_options import LaunchOptions
    from kiosk.ui.launch.launcher import EXIT_ADMIN_QUIT, AppResult, run_app_async
    from kiosk.ui.navigation.screen_names import ScreenName

    assert EXIT_ADMIN_QUIT == 10  # what the systemd unit's RestartPreventExitStatus names
    settings = kiosk_settings(sim_settings, health_addr="")
    options = LaunchOptions()
    prepare_environment()
    configure_window(settings, options)
    run = asyncio.ensure_future(run_app_async(settings, options))
    try:

        def home_shown() -> bool:
            app = App.get_running_app()
            return (isinstance(app, KioskApp) and app.manager is not None
                    and app.current_screen is ScreenName.HOME)

        await wait_until(home_shown, "the app to start")
        app = App.get_running_app()
        assert isinstance(app, KioskApp)
        app.admin.quit_to_system()  # not from Home: only the admin screen may end the app
        app.admin.restart_app()
        await asyncio.sleep(0.2)
        assert not run.done() and app.admin.exit_request is ExitRequest.NONE

        app.admin.open_unlock()  # what the 5 s press on the room name does
        await wait_until(lambda: app.current_screen is ScreenName.ADMIN_UNLOCK, "admin PIN")
        await asyncio.sleep(0.05)
        unlock = app.screen(ScreenName.ADMIN_UNLOCK)
        type_on_keypad(unlock.ids.keypad, ADMIN_PIN)
        tap(unlock.ids.unlock)
        await wait_until(lambda: app.current_screen is ScreenName.ADMIN, "the admin screen")
        await asyncio.sleep(0.05)
        tap(app.screen(ScreenName.ADMIN).ids[button])

        assert app.admin.exit_request is ExitRequest[request_name]
        result = await asyncio.wait_for(run, 15)
        assert result == AppResult(code=code, restart=restart)
        assert App.get_running_app() is not app  # the app really stopped
    finally:
        if not run.done():
            running = App.get_running_app()
            if running is not None:
                running.stop()
            await asyncio.wait_for(run, 15)
