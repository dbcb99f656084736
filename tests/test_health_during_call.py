"""/healthz and /metrics over HTTP while a ConferenceSession is in a simulated meeting."""

from __future__ import annotations

import json

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from session_watch import SessionWatch

from kiosk import __version__
from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.health.session_health import SessionHealth
from kiosk.log_redaction import RedactingFilter
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread


async def fetch(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(url) as reply:
        assert reply.status == 200, reply.status
        return await reply.text()


def metric_values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text) for s in family.samples
    }


async def test_health_and_metrics_during_and_after_a_call(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)  # control-only: a token, no media
    health = SessionHealth(session, "127.0.0.1:0")
    await health.start()
    base = health.server.url
    assert base is not None
    try:
        await session.join("meet.open")
        assert session.snapshot.state is SessionState.CONNECTED
        await SessionWatch(session).until(lambda s: s.participant_count == 1, what="roster")

        report = json.loads(await fetch(f"{base}/healthz"))
        assert report["state"] == "CONNECTED"
        assert report["version"] == __version__
        assert report["uptime_seconds"] > 0
        assert report["node"]["reachable"] is True  # a real GET /status to the simulator
        assert report["call"]["alias"] == "meet.open"
        assert report["call"]["conference_name"] == "Open meeting"
        assert report["call"]["participant_count"] == 1
        assert report["call"]["seconds"] >= 0
        assert set(report["camera"]) == {"state", "reason"}
        assert set(report["microphone"]) == {"state", "reason"}
        assert report["last_error"] is None

        values = metric_values(await fetch(f"{base}/metrics"))
        assert values[("kiosk_state", (("kiosk_state", "CONNECTED"),))] == 1
        assert values[("kiosk_join_attempts_total", ())] == 1
        assert values[("kiosk_calls_total", ())] == 1
        assert values[("kiosk_node_reachable", ())] == 1
        assert values[("kiosk_video_frames_per_second", (("direction", "in"),))] == 0
        assert values[("kiosk_build_info", (("version", __version__),))] == 1

        await session.leave()
        values = metric_values(await fetch(f"{base}/metrics"))
        assert values[("kiosk_state", (("kiosk_state", "IDLE"),))] == 1
        assert values[("kiosk_calls_ended_total", (("reason", "left"),))] == 1
        assert values[("kiosk_call_duration_seconds_count", ())] == 1

        # A meeting that does not exist: a join failure by reason, and the last error.
        await session.join("meet.nowhere")
        assert session.snapshot.state is SessionState.ERROR
        report = json.loads(await fetch(f"{base}/healthz"))
        assert report["state"] == "ERROR" and report["status"] == "degraded"
        assert report["last_error"]["code"] == "conference_not_found"
        assert report["last_error"]["message"]
        values = metric_values(await fetch(f"{base}/metrics"))
        assert values[("kiosk_join_failures_total", (("reason", "conference_not_found"),))] == 1
        await session.leave()
    finally:
        await health.stop()
        await session.leave()


class SecretRecorder(RedactingFilter):
    """The session registers every PIN and token it handles here: a list to search for."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: list[str] = []

    def add_secret(self, value: str, lifetime: float | None = None) -> None:
        self.secrets.append(value)
        super().add_secret(value, lifetime)


async def test_no_pin_or_token_ever_reaches_the_health_endpoint(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    recorder = SecretRecorder()
    session = ConferenceSession(sim_settings, redactor=recorder)
    health = SessionHealth(session, "127.0.0.1:0")
    await health.start()
    try:
        await session.join("meet.board")
        await session.submit_pin("2460")  # wrong: the board's host PIN is 2468
        await session.submit_pin("2468")
        assert session.snapshot.state is SessionState.CONNECTED
        bodies = [await fetch(f"{health.server.url}{path}") for path in ("/healthz", "/metrics")]
        secrets = {secret for secret in recorder.secrets if secret}
        assert {"2460", "2468"} <= secrets and len(secrets) >= 3  # the PINs and a token
        for body in bodies:
            for secret in secrets:
                assert secret not in body
        assert json.loads(bodies[0])["call"]["role"] == "HOST"
    finally:
        await health.stop()
        await session.leave()
