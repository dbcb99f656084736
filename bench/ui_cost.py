"""What the kiosk app costs: start-up time, idle CPU on Home, CPU and frame rate in a call.

Runs the real app headless (offscreen SDL + Mesa software GL, 800x480) against the
simulator in a SEPARATE process (its far end's encoding is not counted), joins
`meet.open` with the test camera at 640x360@30 and the self-view shown, and
prints one JSON object:

    .venv/bin/python bench/ui_cost.py [--idle-seconds 10] [--call-seconds 20]

Targets (issue 4): start to interactive Home <= 1.5 s; Home idle <= 2 % of one
core; in the call the whole app <= 70 % of one core with >= 29 frames/s shown.
CPU is the whole app process (every thread: aiortc, decoding, GL) from psutil.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

PROCESS_STARTED = time.monotonic()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.ui.kivy_setup import prepare_environment  # noqa: E402

prepare_environment()  # before anything imports kivy

import psutil  # noqa: E402

from kiosk.demo_settings import demo_settings  # noqa: E402
from kiosk.demo_simulator import SimulatorProcess  # noqa: E402
from kiosk.ui.launch_options import LaunchOptions  # noqa: E402

TARGETS = MappingProxyType({
    "startup_seconds_max": 1.5,
    "idle_cpu_percent_max": 2.0,
    "call_cpu_percent_max": 70.0,
    "call_fps_shown_min": 29.0,
})


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def _measure_cpu(seconds: float) -> float:
    """Percent of one core used by this whole process over `seconds`."""
    process = psutil.Process()
    cpu_before, wall_before = _cpu_seconds(process), time.monotonic()
    await asyncio.sleep(seconds)
    cpu = _cpu_seconds(process) - cpu_before
    return round(100.0 * cpu / (time.monotonic() - wall_before), 1)


async def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.01)


async def _scenario(app: Any, simulator: SimulatorProcess, args: argparse.Namespace,
                    result: dict[str, Any], run_started: float) -> int:
    from kivy.clock import Clock

    from kiosk.ui.screen_names import ScreenName
    from kiosk.ui.touch_driver import tap

    # "Interactive": Home is on top and one frame with it has been drawn.
    await _wait(lambda: app.manager is not None and app.current_screen is ScreenName.HOME,
                10, "home screen")
    drawn = asyncio.get_running_loop().create_future()
    Clock.schedule_once(lambda _dt: drawn.done() or drawn.set_result(time.monotonic()), 0)
    shown_at = await drawn
    result["startup_seconds"] = round(shown_at - PROCESS_STARTED, 3)
    result["startup_seconds_from_run_app"] = round(shown_at - run_started, 3)

    home = app.screen(ScreenName.HOME)
    await _wait(lambda: home.node_reachable is not None, 10, "node check")
    await asyncio.sleep(1.0)  # let start-up work settle before measuring idle
    result["idle_cpu_percent"] = await _measure_cpu(args.idle_seconds)

    tap(home.join_buttons()[0])  # meet.open
    await _wait(lambda: app.current_screen is ScreenName.IN_CALL, 20, "in call")
    in_call = app.screen(ScreenName.IN_CALL)
    remote, self_view = in_call.ids.remote, in_call.ids.self_view
    await _wait(lambda: remote.has_frame and self_view.has_frame, 20, "video")
    await asyncio.sleep(3.0)  # past the first key frames and the bar's fade-out
    blits_before, self_before = remote.blits, self_view.blits
    started = time.monotonic()
    result["call_cpu_percent"] = await _measure_cpu(args.call_seconds)
    elapsed = time.monotonic() - started
    result["call_fps_shown"] = round((remote.blits - blits_before) / elapsed, 1)
    result["call_self_view_fps_shown"] = round((self_view.blits - self_before) / elapsed, 1)
    stats = await app.session.media_call.stats()
    result["call_fps_received"] = round(stats.fps_received, 1)
    result["call_fps_sent"] = round(stats.fps_sent, 1)
    result["call_resolution_received"] = stats.resolution_received
    result["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20, 1)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--call-seconds", type=float, default=20.0)
    args = parser.parse_args()

    from kiosk.ui.launcher import run_app

    result: dict[str, Any] = {"window": "800x480", "simulator": "separate process"}
    with SimulatorProcess() as simulator:
        settings = replace(
            demo_settings(simulator.url, simulator.ca_bundle),
            camera="test",
            camera_size=(640, 360),
            camera_fps=30,
            microphone="test",
            speaker="test",
            idle_seconds=0,
        )
        run_started = time.monotonic()

        async def hook(app: Any) -> int:
            return await _scenario(app, simulator, args, result, run_started)

        code = run_app(settings, LaunchOptions(window_size=(800, 480)), hook=hook).code
    result["targets"] = dict(TARGETS)
    result["passed"] = code == 0 and all(
        (
            result.get("startup_seconds", 99) <= TARGETS["startup_seconds_max"],
            result.get("idle_cpu_percent", 100) <= TARGETS["idle_cpu_percent_max"],
            result.get("call_cpu_percent", 100) <= TARGETS["call_cpu_percent_max"],
            result.get("call_fps_shown", 0) >= TARGETS["call_fps_shown_min"],
        )
    )
    sys.stdout.write(json.dumps(result) + "\n")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
