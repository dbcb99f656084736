"""Helpers of the UI tests: the kiosk app running on the test's event loop against the simulator.

Kivy has one Window per process: every test builds a fresh KioskApp (and a fresh
session) but reuses that Window; the app is stopped and its task awaited at the
end of each test so the next one starts clean.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kiosk.config import Settings
from kiosk.demo.settings import DEMO_MEETINGS
from kiosk.simulator.background import SimulatorThread
from kiosk.ui.device.kivy_setup import configure_window, prepare_environment
from kiosk.ui.launch.launch_options import LaunchOptions

ADMIN_PIN = "2580"
WAIT_TIMEOUT = 15.0


async def wait_until(
    condition: Callable[[], bool], what: str, timeout: float = WAIT_TIMEOUT
) -> None:
    """Poll `condition` on the running loop (Kivy keeps ticking meanwhile)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def kiosk_settings(sim_settings: Settings, **changes: Any) -> Settings:
    """The simulator's settings plus the demo meetings, test devices and an admin PIN."""
    values: dict[str, Any] = {
        "camera": "test",
        "microphone": "test",
        "speaker": "test",
        "meetings": DEMO_MEETINGS,
        "admin_pin": ADMIN_PIN,
        "idle_seconds": 0,
        "fullscreen": False,
        "backlight": "none",
        # Volume and admin lock-out are remembered in a throw-away directory, never in
        # /var/lib/pexip-kiosk.
        "state_dir": Path(tempfile.mkdtemp(prefix="kiosk-state-")),
    }
    values.update(changes)
    return replace(sim_settings, **values)


@dataclass
class RunningKiosk:
    """The app, its session and the simulator it talks to."""

    app: Any  # kiosk.ui.app.KioskApp (imported lazily: Kivy must be configured first)
    session: Any
    simulator: SimulatorThread

    def screen(self, name: Any) -> Any:
        return self.app.screen(name)

    async def wait_screen(self, name: Any, timeout: float = WAIT_TIMEOUT) -> Any:
        await wait_until(lambda: self.app.current_screen is name, f"the {name.value} screen",
                         timeout)
        await asyncio.sleep(0.05)  # one or two frames: the screen lays out before taps
        return self.app.screen(name)


@asynccontextmanager
async def running_kiosk(
    simulator: SimulatorThread, settings: Settings, with_media: bool = True,
    theme: Any = None,
) -> AsyncIterator[RunningKiosk]:
    """Start the kiosk app on the current loop; stop it (and leave any meeting) afterwards.

    `theme`: a `kiosk.ui.theme.Theme` (e.g. `theme_for(settings)`); the default theme if None.
    """
    prepare_environment()
    options = LaunchOptions()
    configure_window(settings, options)
    from kiosk.conference import ConferenceSession
    from kiosk.media.call_factory import AiortcMediaFactory
    from kiosk.ui.app import KioskApp
    from kiosk.ui.navigation.screen_names import ScreenName

    factory = AiortcMediaFactory(settings) if with_media else None
    session = ConferenceSession(settings, media_factory=factory)
    app = KioskApp(settings, session, options) if theme is None else KioskApp(
        settings, session, options, theme=theme)
    task = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
    try:
        await wait_until(
            lambda: app.manager is not None and app.current_screen is ScreenName.HOME,
            "the app to start",
        )
        yield RunningKiosk(app, session, simulator)
    finally:
        app.stop()
        await asyncio.wait_for(task, 10)
        await asyncio.wait_for(session.leave(), 10)
        await app.runner.drain(2)
