"""The media stack a call with a real camera and real sound loads: no numpy, no Pillow,
no simulator (each costs memory on a small board). Checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_media_factory_and_its_call_modules_load_without_numpy_or_pillow() -> None:
    script = (
        "import json, sys\n"
        "import kiosk.media.call_factory, kiosk.media.microphone_source\n"
        "import kiosk.media.speaker_sink, kiosk.media.camera_source\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=120, cwd=REPO, check=True)
    modules = json.loads(child.stdout.splitlines()[-1])
    unwanted = [name for name in modules
                if name.split(".")[0] in ("numpy", "PIL") or name.startswith("kiosk.simulator")]
    assert unwanted == []
    assert "aiortc" in modules and "kiosk.media.peer_call" in modules
