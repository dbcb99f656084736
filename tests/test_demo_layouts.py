"""Every screen fits at 800x480: the demo autopilot in German at text scale 1.4 finds no
text that does not fit, and the layout check itself sees text that overflows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ui_harness import kiosk_settings, running_kiosk

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ("home", "connecting", "in_call", "in_call-keypad", "pin-required", "pin-optional",
           "pin-wrong", "waiting", "meeting_id-extension", "meeting_id-dial", "error", "idle",
           "admin_unlock", "admin")


def test_german_at_text_scale_1_4_fits_on_every_screen(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    env = {**os.environ, "KIOSK_LANGUAGE": "de", "KIOSK_TEXT_SCALE": "1.4",
           "KIOSK_HEALTH_ADDR": "127.0.0.1:0", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--autopilot", "--screenshots", str(shots)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    report = next(x for x in lines if x.get("event") == "autopilot")
    assert report["result"] == "passed", report
    assert report["overflows"] == []
    for screen in SCREENS:
        assert (shots / f"{screen}_800x480.png").is_file(), screen


async def test_the_layout_check_finds_text_that_does_not_fit(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    import asyncio

    from kivy.factory import Factory
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.label import Label

    from kiosk.demo.layout_check import find_overflows

    async with running_kiosk(simulator, kiosk_settings(sim_settings)):
        root = FloatLayout(size=(800, 480))
        fitting = Label(text="Join", size_hint=(None, None), size=(200, 60), pos=(10, 10))
        wide = Label(text="Virtuelle Rezeption beitreten, bitte", size_hint=(None, None),
                     size=(60, 60), pos=(10, 100))
        off_screen = Label(text="Far away", size_hint=(None, None), size=(200, 60),
                           pos=(900, 10))
        button = Factory.SurfaceButton(text="Abbrechen und zurück zur Startseite",
                                       size_hint=(None, None), size=(120, 64), pos=(10, 300))
        for widget in (fitting, wide, off_screen, button):
            root.add_widget(widget)
        for label in (fitting, wide, off_screen):
            label.texture_update()
        await asyncio.sleep(0.2)
        button.ids.caption.min_scale = 1.0  # no shrinking: it must stick out
        await asyncio.sleep(0.2)
        problems = [str(p) for p in find_overflows(root, (800, 480))]
        assert not any("'Join'" in p for p in problems)
        assert any("Virtuelle Rezeption" in p and "wide" in p for p in problems)
        assert any("Far away" in p and "leaves the screen" in p for p in problems)
        assert any("Abbrechen" in p and "button" in p for p in problems)
