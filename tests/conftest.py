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

from kiosk.media.loopback_ice import use_loopback_candidates_only

# Every far end in the tests is the simulator on 127.0.0.1.
use_loopback_candidates_only()


# --- Simulator fixtures (SIMULATOR engineer) ---------------------------------------------
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from infinity_schemas import assert_matches_pexip_schemas  # noqa: E402
from simulator_test_client import NodeApi  # noqa: E402

from kiosk.config import Settings  # noqa: E402
from kiosk.simulator.background import SimulatorThread  # noqa: E402
from kiosk.simulator.rooms import load_rooms  # noqa: E402

DEMO_ROOMS_FILE = Path(__file__).resolve().parent.parent / "assets" / "demo_rooms.toml"
FUNCTIONAL_TEST_CAMERA_SIZE = (640, 360)


def _schema_checked(sim: SimulatorThread) -> Iterator[SimulatorThread]:
    """Yield `sim` recording what it sends; afterwards, every reply and event it sent in
    the test must match Pexip's published schemas (a mismatch is an error of the test)."""
    sim.simulator.recorder.enabled = True
    yield sim
    assert_matches_pexip_schemas(sim.simulator.recorder)


@pytest.fixture
def simulator() -> Iterator[SimulatorThread]:
    """A running simulated Pexip node (HTTPS, demo rooms, tokens last 120 s), whose replies
    and events are checked against Pexip's schemas after the test."""
    with SimulatorThread(load_rooms(DEMO_ROOMS_FILE), token_expires=120.0) as sim:
        yield from _schema_checked(sim)


@pytest.fixture
def short_token_simulator() -> Iterator[SimulatorThread]:
    """A running simulated node whose tokens expire after 2 s (refresh and expiry tests),
    schema-checked like `simulator`."""
    with SimulatorThread(load_rooms(DEMO_ROOMS_FILE), token_expires=2.0) as sim:
        yield from _schema_checked(sim)


@pytest.fixture
def sim_settings(simulator: SimulatorThread) -> Settings:
    """Kiosk settings pointing at the `simulator` fixture, trusting its throw-away CA."""
    return Settings(
        node=simulator.url,
        ca_bundle=simulator.ca_bundle,
        display_name="Test room",
        pin_cooldown_seconds=2,
        # Functional tests send a small picture (the product default is 1280x720): a 2-core
        # machine runs many of them; bench/ measures the real size.
        camera_size=FUNCTIONAL_TEST_CAMERA_SIZE,
    )


@pytest.fixture
def sim_api(simulator: SimulatorThread) -> Iterator[NodeApi]:
    """A plain-requests client of the `simulator` fixture (the simulator's own tests)."""
    client = NodeApi(simulator)
    yield client
    client.close()
