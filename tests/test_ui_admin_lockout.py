"""The admin lock-out through the real launcher: keypad, lock-out notice, /metrics, restart."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
import requests
from ui_harness import ADMIN_PIN, kiosk_settings, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread

WRONG = "1111"


async def run_kiosk_once(settings: Settings, wrong_pins: int, caplog: pytest.LogCaptureFixture
                         ) -> tuple[str, str, str]:
    """Start the app as `pexip-kiosk run` does, type `wrong_pins` wrong admin PINs, then the
    right one; (the notice after the wrong ones, the notice after the right one, /metrics)."""
    from kivy.app import App

    from kiosk.ui.app import KioskApp
    from kiosk.ui.device.kivy_setup import configure_window, prepare_environment
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.launch.launch_options import LaunchOptions
    from kiosk.ui.launch.launcher import run_app_async
    from kiosk.ui.navigation.screen_names import ScreenName

    options = LaunchOptions()
    prepare_environment()
    configure_window(settings, options)
    caplog.clear()
    run = asyncio.ensure_future(run_app_async(settings, options))
    try:
        def home_shown() -> bool:
            app = App.get_running_app()
            return (isinstance(app, KioskApp) and app.manager is not None
                    and app.current_screen is ScreenName.HOME)

        await wait_until(home_shown, "the app to start")
        app = App.get_running_app()
        # The endpoint starts once Home is on screen (its imports must not delay Home).
        await wait_until(lambda: re.search(r"Health endpoint on (http://\S+) ", caplog.text),
                         "the health endpoint to start")
        health = re.search(r"Health endpoint on (http://\S+) ", caplog.text)
        assert health is not None
        app.admin.open_unlock()
        await wait_until(lambda: app.current_screen is ScreenName.ADMIN_UNLOCK, "admin PIN")
        await asyncio.sleep(0.05)
        unlock = app.screen(ScreenName.ADMIN_UNLOCK)
        for _ in range(wrong_pins):
            type_on_keypad(unlock.ids.keypad, WRONG)
            tap(unlock.ids.unlock)
        after_wrong = unlock.notice
        type_on_keypad(unlock.ids.keypad, ADMIN_PIN)
        tap(unlock.ids.unlock)
        await asyncio.sleep(0.1)
        after_right = unlock.notice if app.current_screen is ScreenName.ADMIN_UNLOCK else "admin"
        metrics = await asyncio.to_thread(requests.get, f"{health.group(1)}/metrics", timeout=10)
        app.stop()
        await asyncio.wait_for(run, 15)
        return after_wrong, after_right, metrics.text
    finally:
        if not run.done():
            running = App.get_running_app()
            if running is not None:
                running.stop()
            await asyncio.wait_for(run, 15)


async def test_three_wrong_admin_pins_lock_it_counted_in_metrics_and_kept_across_a_restart(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = kiosk_settings(sim_settings, health_addr="127.0.0.1:0",
                              pin_cooldown_seconds=0)  # 0 cannot switch the lock-out off
    with caplog.at_level(logging.INFO):
        after_wrong, after_right, metrics = await run_kiosk_once(settings, 3, caplog)
        log_text = caplog.text

    assert after_wrong == "Too many wrong PINs. Try again in 30 s"
    assert after_right.startswith("Too many wrong PINs. Try again in ")  # the right PIN waits
    assert "kiosk_admin_lockouts_total 1.0" in metrics
    assert "the admin screen is locked for 30 s (lock-out 1" in log_text
    assert WRONG not in log_text and ADMIN_PIN not in log_text

    with caplog.at_level(logging.INFO):
        # "Restarted" (a new app, the same state dir): still locked, the right PIN waits.
        _, after_restart, metrics = await run_kiosk_once(settings, 0, caplog)
    assert after_restart.startswith("Too many wrong PINs. Try again in ")
    assert "kiosk_admin_lockouts_total 0.0" in metrics  # this process has not locked it


async def test_a_long_lockout_is_shown_in_minutes(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.admin_lockout import AdminLockout, LockoutStore

    settings = kiosk_settings(sim_settings, health_addr="127.0.0.1:0")
    earlier = AdminLockout(LockoutStore(settings.state_dir), first_lockout=3600)
    for _ in range(3):
        earlier.record_wrong()  # a previous run locked it for an hour

    with caplog.at_level(logging.INFO):
        _, notice, _ = await run_kiosk_once(settings, 0, caplog)

    assert notice == "Too many wrong PINs. Try again in 60 min"
