"""Shared test set-up: headless Kivy environment (before any kivy import) and loopback ICE."""

from __future__ import annotations

import os
import tempfile

# Kivy reads these at import time; tests never open a real window or sound device.
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-kivy-home-"))

from kiosk.media.loopback_ice import use_loopback_candidates_only  # noqa: E402

# Every far end in the tests is the simulator on 127.0.0.1.
use_loopback_candidates_only()
