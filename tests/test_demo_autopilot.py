"""`pexip-kiosk demo --autopilot`: the whole product toured headless against the simulator.

The tour taps through every screen as a person would (agenda, PIN rooms, the reception,
a call with presentation, captions, layouts, the host's people panel, hold, splash,
a breakout, admin) and saves a screenshot of each; it fails on the first step whose
screen does not appear. This is the demo a newcomer runs, so it must keep passing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(420)

REPO = Path(__file__).resolve().parent.parent


def test_the_autopilot_tours_every_screen_and_saves_its_screenshots(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the demo's own state, thrown away
    shots = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--autopilot", "--screenshots", str(shots)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=400)
    results = [json.loads(line) for line in done.stdout.splitlines()
               if line.startswith("{") and '"autopilot"' in line]
    assert results, done.stderr[-3000:]
    assert results[-1]["result"] == "passed", results[-1]
    assert done.returncode == 0
    saved = {Path(p).name for p in results[-1]["screenshots"]}
    for screen in ("home-agenda", "pin-required", "waiting", "in_call", "in_call-presenting",
                   "in_call-captions", "in_call-panel", "in_call-hold", "in_call-breakout",
                   "error", "admin"):
        for size in ("800x480", "1280x720"):
            name = f"{screen}_{size}.png"
            assert name in saved
            assert (shots / name).stat().st_size > 10_000  # a rendered screen, not a blank
