"""The health endpoint the app starts after Home: served once started, never after stop."""

from __future__ import annotations

import asyncio
import urllib.request

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread
from kiosk.ui.launch.deferred_health import DeferredHealth


def fetch(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return int(reply.status)


async def test_serves_healthz_once_started_and_stops(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    health = DeferredHealth(session, "127.0.0.1:0")
    assert health.url is None  # nothing listens before start (Home comes first)
    await health.start()
    url = health.url
    assert url is not None
    assert await asyncio.to_thread(fetch, f"{url}/healthz") == 200
    await health.stop()
    assert health.url is None


async def test_a_stop_before_the_start_wins() -> None:
    session = ConferenceSession(Settings(node="https://127.0.0.1:9"))
    health = DeferredHealth(session, "127.0.0.1:0")
    await health.stop()  # the app ended within its first fraction of a second
    await health.start()
    assert health.url is None
