"""HealthServer over real loopback HTTP: /healthz JSON, /metrics text, off when empty."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk import __version__
from kiosk.health.metrics import KioskMetrics
from kiosk.health.node_probe import CachedNodeProbe
from kiosk.health.server import HealthServer, split_host_port
from kiosk.health.session_health import SessionHealth
from kiosk.health.session_recorder import SessionMetricsRecorder
from kiosk.media.interface import MediaStats
from kiosk.session_state import (
    DeviceState,
    DeviceStatus,
    ErrorCode,
    SessionError,
    SessionSnapshot,
    SessionState,
)


class Counter:
    """An async node check that counts its calls and answers what it is told."""

    def __init__(self, answer: bool = True, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.calls = 0

    async def __call__(self) -> bool:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.answer


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as reply:
        return reply.status, reply.headers.get("Content-Type", ""), await reply.text()


@pytest.fixture
async def running() -> AsyncIterator[tuple[HealthServer, dict]]:
    state: dict = {
        "snapshot": SessionSnapshot(
            state=SessionState.CONNECTED, alias="meet.open", conference_name="Open meeting",
            role="HOST", participant_count=3, connected_since=0.0,
            camera=DeviceStatus(DeviceState.UNAVAILABLE, "No camera at /dev/video0"),
            microphone=DeviceStatus(DeviceState.ACTIVE),
        ),
        "stats": MediaStats(fps_received=24.0, fps_sent=12.5),
    }
    metrics = KioskMetrics(process_metrics=False)
    recorder = SessionMetricsRecorder(metrics)
    recorder.on_snapshot(SessionSnapshot(state=SessionState.CONNECTING))
    recorder.on_snapshot(SessionSnapshot(
        state=SessionState.ERROR,
        error=SessionError(ErrorCode.NODE_UNREACHABLE, "The meeting service cannot be reached"),
    ))
    check = Counter(answer=True)
    state["check"] = check

    async def stats() -> MediaStats | None:
        return state["stats"]

    server = HealthServer(
        "127.0.0.1:0", lambda: state["snapshot"], metrics,
        node_probe=CachedNodeProbe(check, ttl=30.0),
        media_stats=stats,
        last_error=lambda: recorder.last_error,
        uptime=lambda: 42.25,
    )
    await server.start()
    yield server, state
    await server.stop()


async def test_healthz_reports_state_devices_node_and_last_error(running) -> None:
    server, state = running
    assert server.port and server.url == f"http://127.0.0.1:{server.port}"
    status, content_type, body = await get(f"{server.url}/healthz")
    assert status == 200 and content_type.startswith("application/json")
    report = json.loads(body)
    assert report["state"] == "CONNECTED"
    assert report["status"] == "degraded"  # the camera is missing
    assert report["version"] == __version__
    assert report["uptime_seconds"] == pytest.approx(42.25, abs=0.06)
    assert report["node"]["reachable"] is True
    assert report["camera"] == {"state": "unavailable", "reason": "No camera at /dev/video0"}
    assert report["microphone"] == {"state": "active", "reason": ""}
    assert report["call"]["conference_name"] == "Open meeting"
    assert report["call"]["participant_count"] == 3
    assert report["last_error"]["code"] == "node_unreachable"
    assert report["last_error"]["seconds_ago"] >= 0

    # The node check is cached: a second /healthz does not ask the node again.
    await get(f"{server.url}/healthz")
    assert state["check"].calls == 1


async def test_metrics_are_prometheus_text_with_fps_and_state(running) -> None:
    server, state = running
    status, content_type, body = await get(f"{server.url}/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    values = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body) for s in family.samples
    }
    assert values[("kiosk_video_frames_per_second", (("direction", "in"),))] == 24.0
    assert values[("kiosk_video_frames_per_second", (("direction", "out"),))] == 12.5
    assert values[("kiosk_state", (("kiosk_state", "CONNECTED"),))] == 1
    assert values[("kiosk_join_failures_total", (("reason", "node_unreachable"),))] == 1

    # No call any more: the frame rates drop to 0 instead of going stale.
    state["stats"] = None
    _, _, body = await get(f"{server.url}/metrics")
    assert 'kiosk_video_frames_per_second{direction="in"} 0.0' in body


async def test_a_failing_stats_provider_never_breaks_metrics() -> None:
    async def broken() -> MediaStats | None:
        raise RuntimeError("peer connection closed")

    server = HealthServer("127.0.0.1:0", SessionSnapshot, KioskMetrics(process_metrics=False),
                          media_stats=broken)
    await server.start()
    try:
        status, _, body = await get(f"{server.url}/metrics")
        assert status == 200 and "kiosk_state" in body
        status, _, body = await get(f"{server.url}/healthz")
        assert status == 200 and '"node": {"reachable": null' in body
    finally:
        await server.stop()


async def test_a_slow_node_check_times_out_as_unreachable() -> None:
    slow = Counter(answer=True, delay=5.0)
    probe = CachedNodeProbe(slow, ttl=30.0, timeout=0.2)
    checks = await asyncio.gather(probe.get(), probe.get())
    assert [c.reachable for c in checks] == [False, False]
    assert slow.calls == 1  # concurrent callers share one check


async def test_empty_address_turns_the_endpoint_off() -> None:
    server = HealthServer("", SessionSnapshot, KioskMetrics(process_metrics=False))
    assert not server.enabled
    await server.start()
    assert server.port is None and server.url is None
    await server.stop()


def test_split_host_port() -> None:
    assert split_host_port("127.0.0.1:9110") == ("127.0.0.1", 9110)
    assert split_host_port("[::1]:9110") == ("::1", 9110)
    assert split_host_port("0.0.0.0:0") == ("0.0.0.0", 0)
    for bad in ("9110", ":9110", "host:port", "host:70000"):
        with pytest.raises(ValueError):
            split_host_port(bad)


class StillSession:
    """The smallest ObservableSession: a fixed snapshot, no call."""

    def __init__(self) -> None:
        self.snapshot = dataclasses.replace(SessionSnapshot(), state=SessionState.IDLE)
        self.media_call = None

    def subscribe(self, callback):
        return lambda: None

    async def check_node(self) -> bool:
        return False


async def test_a_busy_port_is_logged_and_the_kiosk_carries_on(caplog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        health = SessionHealth(StillSession(), f"127.0.0.1:{port}")
        with caplog.at_level(logging.ERROR, logger="kiosk.health.session_health"):
            await health.start()
        assert health.server.port is None
        assert f"Health endpoint off: cannot listen on 127.0.0.1:{port}" in caplog.text
        await health.stop()
