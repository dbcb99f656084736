"""What the kiosk app has imported when Home is first drawn: the UI and the session, not
the media stack, the health endpoint's server, Pillow, numpy or the simulator.

Those come later (media and health are warmed up in the background after Home) or
never; each one costs start-up time and memory on a small board. Run in a fresh
interpreter: this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from kiosk.simulator.background import SimulatorThread

REPO = Path(__file__).resolve().parent.parent
NOT_BEFORE_HOME = ("PIL", "numpy", "aiohttp", "prometheus_client", "aiortc", "aioice", "av",
                   "kiosk.simulator", "kiosk.media.peer_call", "kiosk.health")

CHILD = textwrap.dedent("""
    import json, sys
    from kiosk.config import Settings
    from kiosk.ui.launch.launch_options import LaunchOptions
    from kiosk.ui.launch.launcher import run_app

    async def hook(app):
        from kivy.clock import Clock
        from kiosk.ui.navigation.screen_names import ScreenName
        import asyncio
        while app.manager is None or app.current_screen is not ScreenName.HOME:
            await asyncio.sleep(0.01)
        drawn = asyncio.get_running_loop().create_future()
        Clock.schedule_once(lambda _dt: drawn.done() or drawn.set_result(None), 0)
        await drawn
        sys.stdout.write(json.dumps(sorted(sys.modules)) + "\\n")
        return 0

    settings = Settings(node=sys.argv[1], ca_bundle=sys.argv[2], camera="test",
                        microphone="test", speaker="test", fullscreen=False, health_addr="")
    sys.exit(run_app(settings, LaunchOptions(window_size=(800, 480)), hook=hook).code)
""")


def test_home_is_drawn_before_media_health_pillow_numpy_or_the_simulator_load(
    simulator: SimulatorThread,
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, simulator.url, str(simulator.ca_bundle)],
        capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
    )
    lines = [line for line in child.stdout.splitlines() if line.startswith("[")]
    assert child.returncode == 0 and lines, child.stderr[-2000:]
    modules = json.loads(lines[-1])
    loaded = [name for name in NOT_BEFORE_HOME
              if any(m == name or m.startswith(name + ".") for m in modules)]
    assert loaded == []
    assert "kiosk.ui.app" in modules and "kivy" in modules  # it did get to Home
