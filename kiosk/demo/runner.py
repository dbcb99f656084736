"""`pexip-kiosk demo`: the embedded simulator with the demo rooms, and the kiosk app against it.

The simulator runs as a child process (`python -m kiosk.simulator.main`) so its
CPU never counts as the app's. With `--autopilot` the app drives itself through
every kind of room headless (offscreen rendering when there is no display) and
saves screenshots of every screen at 800x480 and 1280x720 into DIR.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from kiosk.config import ConfigError
from kiosk.demo.settings import demo_hints, demo_settings, demo_translator
from kiosk.simulator.child_process import SimulatorProcess, SimulatorProcessError
from kiosk.ui.launch.launch_options import LaunchOptions

log = logging.getLogger(__name__)

EXIT_BAD_SETTING = 2
EXIT_SIMULATOR_FAILED = 5
DEMO_WINDOW = (1280, 720)
AUTOPILOT_WINDOW = (800, 480)
HEADLESS_SCREENSHOTS = Path("demo-screenshots")


def run_demo(autopilot: bool, screenshots: Path | None) -> int:
    """Run the demo; with `autopilot`, exit 0 when every step passed (else non-zero)."""
    from kiosk.log_redaction import configure_logging
    from kiosk.ui.device.kivy_setup import prepare_environment
    from kiosk.ui.launch.launcher import run_app

    headless = prepare_environment()  # before anything imports kivy
    if headless and not autopilot:
        # Nothing could be seen: tour every screen instead and leave the pictures behind.
        autopilot = True
        screenshots = screenshots or HEADLESS_SCREENSHOTS
        sys.stderr.write(
            f"pexip-kiosk demo: no display found, so the kiosk tours every screen by itself "
            f"and saves screenshots to {screenshots}/\n"
        )
    redactor = configure_logging("INFO" if autopilot else "WARNING")
    try:
        simulator = SimulatorProcess().start()
    except (SimulatorProcessError, OSError) as exc:
        sys.stderr.write(f"pexip-kiosk demo: {exc}\n")
        return EXIT_SIMULATOR_FAILED
    try:
        sys.stdout.write(json.dumps({"event": "simulator", "url": simulator.url}) + "\n")
        sys.stdout.flush()
        try:
            settings = demo_settings(simulator.url, simulator.ca_bundle)
        except ConfigError as exc:
            sys.stderr.write(f"pexip-kiosk demo: {exc}\n")
            return EXIT_BAD_SETTING
        hints = demo_hints(demo_translator(settings))
        if not autopilot:
            options = LaunchOptions(allow_exit=True, demo_hints=hints,
                                    window_size=DEMO_WINDOW)
            return run_app(settings, options, redactor=redactor).code

        from kiosk.demo.autopilot import Autopilot

        async def drive(app: object) -> int:
            pilot = Autopilot(app, simulator.control, screenshots, settings.admin_pin)  # type: ignore[arg-type]
            return await pilot.run()

        options = LaunchOptions(allow_exit=False, demo_hints=hints,
                                window_size=AUTOPILOT_WINDOW)
        return run_app(settings, options, redactor=redactor, hook=drive).code
    finally:
        simulator.stop()
