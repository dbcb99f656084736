"""The fleet dashboard (provisioning/grafana/) queries only what a kiosk exports, and every
one of its queries runs on a real Prometheus scraping a real kiosk health endpoint."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.health.session_health import SessionHealth
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "provisioning" / "grafana" / "pexip-kiosk-dashboard.json"
# Series Prometheus itself makes for every target (not in a kiosk's /metrics).
PROMETHEUS_SERIES = frozenset({"up"})
_SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")
# Grafana's variables, as Grafana would fill them in for one room over the last hour.
GRAFANA_VARIABLES = {"$room": ".*", "$__rate_interval": "1m", "$__range": "1h",
                     "${datasource}": ""}
PROMETHEUS_TIMEOUT = 60.0


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) for every query of the dashboard, the room variable's too."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    queries = [(panel["title"], target["expr"]) for panel in dashboard["panels"]
               for target in panel.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            match = re.fullmatch(r"label_values\((.*), *\w+\)", variable["definition"])
            assert match, variable["definition"]
            queries.append((f"${variable['name']}", match.group(1)))
    return queries


def metric_names(expr: str) -> set[str]:
    return set(_SELECTOR.findall(expr))


def as_prometheus_query(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


async def fetch(url: str, **params: str) -> Any:
    async with aiohttp.ClientSession() as http, http.get(url, params=params) as reply:
        text = await reply.text()
        return json.loads(text) if "json" in reply.content_type else text


def test_the_dashboard_asks_for_every_figure_of_the_fleet() -> None:
    titles = [title for title, _ in dashboard_queries()]
    for wanted in ("Rooms up", "Rooms down", "In a meeting now", "Calls per day",
                   "Join failures by reason", "Token refresh failures", "Video frame rate",
                   "Media bitrate", "Packets lost and round trip", "Last error per room"):
        assert wanted in titles
    assert all(metric_names(expr) for _, expr in dashboard_queries())


async def test_every_metric_the_dashboard_queries_is_on_metrics(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)  # control-only: a token, no media
    health = SessionHealth(session, "127.0.0.1:0")
    await health.start()
    try:
        await session.join("meet.nowhere")  # a join failure and a last error
        await session.leave()
        await session.join("meet.open")
        assert session.snapshot.state is SessionState.CONNECTED
        await session.leave()  # a call that ended (its duration histogram)
        text = await fetch(f"{health.server.url}/metrics")
    finally:
        await health.stop()
        await session.leave()
    exported = {sample.name for family in text_string_to_metric_families(text)
                for sample in family.samples}
    wanted = set().union(*(metric_names(expr) for _, expr in dashboard_queries()))
    assert wanted - PROMETHEUS_SERIES - exported == set()


# ---------------------------------------------------------------- a real Prometheus

def _free_port() -> int:
    # Prometheus cannot report a port it chose itself: take one the kernel gives out.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def prometheus_binary() -> str:
    binary = shutil.which("prometheus")
    assert binary, "Prometheus is missing: `make system-packages` installs Debian's prometheus"
    return binary


def _start_prometheus(binary: str, directory: Path, target: str) -> tuple[subprocess.Popen, str]:
    config = directory / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: pexip-kiosk\n    scrape_timeout: 1s\n"
        f"    static_configs:\n      - targets: ['{target}']\n"
        "        labels: {room: room-test, site: lab}\n",
        encoding="utf-8",
    )
    port = _free_port()
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={directory / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=open(directory / "prometheus.log", "wb"),  # noqa: SIM115
    )
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def stop_later() -> Iterator[list[subprocess.Popen]]:
    processes: list[subprocess.Popen] = []
    yield processes
    for process in processes:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def _query(base: str, expr: str) -> list[dict[str, Any]]:
    reply = await fetch(f"{base}/api/v1/query", query=expr)
    assert reply["status"] == "success", (expr, reply)
    return reply["data"]["result"]


async def _wait_for(base: str, expr: str, what: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + PROMETHEUS_TIMEOUT
    while True:
        try:
            result = await _query(base, expr)
            if result:
                return result
        except (aiohttp.ClientError, json.JSONDecodeError, KeyError):
            pass  # still starting
        if time.monotonic() > deadline:
            raise AssertionError(f"Prometheus: timed out waiting for {what}")
        await asyncio.sleep(0.25)


def _value(result: list[dict[str, Any]]) -> float:
    assert len(result) == 1, result
    return float(result[0]["value"][1])


async def test_the_dashboard_queries_run_on_prometheus_scraping_a_kiosk(
    simulator: SimulatorThread, sim_settings: Settings, prometheus_binary: str,
    tmp_path: Path, stop_later: list[subprocess.Popen],
) -> None:
    session = ConferenceSession(sim_settings)
    health = SessionHealth(session, "127.0.0.1:0")
    await health.start()
    try:
        target = health.server.url.removeprefix("http://")
        process, base = _start_prometheus(prometheus_binary, tmp_path, target)
        stop_later.append(process)
        await _wait_for(base, 'count_over_time(up{job="pexip-kiosk"}[1m]) >= 2', "two scrapes")
        # What the fleet should see: a failed join, then a room in a meeting.
        await session.join("meet.nowhere")
        await _wait_for(base, 'kiosk_last_error_timestamp_seconds{code="conference_not_found"}',
                        "the last error")
        await session.leave()
        await session.join("meet.open")
        assert session.snapshot.state is SessionState.CONNECTED
        await _wait_for(base, 'kiosk_state{kiosk_state="CONNECTED"} == 1', "the meeting")
        await _wait_for(base, "count_over_time(kiosk_calls_total[1m]) >= 2", "a scrape after")

        results = {}
        for title, expr in dashboard_queries():
            results[(title, expr)] = await _query(base, as_prometheus_query(expr))
        by_title = {title: result for (title, _), result in results.items()}
        assert _value(by_title["Rooms up"]) == 1
        assert _value(by_title["Rooms down"]) == 0
        assert _value(by_title["In a meeting now"]) == 1
        assert _value(by_title["Calls (24 h)"]) >= 1
        assert _value(by_title["Join failures (24 h)"]) >= 1
        last_error = by_title["Last error per room"]
        assert [(r["metric"]["room"], r["metric"]["code"]) for r in last_error] == [
            ("room-test", "conference_not_found")]
        assert abs(float(last_error[0]["value"][1]) / 1000 - time.time()) < 120
        states = next(e for t, e in results if t == "Rooms" and "kiosk_state" in e)
        rooms = results[("Rooms", states)]
        assert [(r["metric"]["room"], r["metric"]["kiosk_state"]) for r in rooms] == [
            ("room-test", "CONNECTED")]
        failures = {r["metric"]["reason"]: float(r["value"][1])
                    for r in by_title["Join failures by reason"]}
        assert failures["conference_not_found"] > 0
        assert sum(failures.values()) == failures["conference_not_found"]
        assert [r["metric"]["room"] for r in by_title["$room"]] == ["room-test"]
    finally:
        await health.stop()
        await session.leave()
