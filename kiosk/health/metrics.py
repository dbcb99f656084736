"""The kiosk's Prometheus metrics, in a registry of their own.

A private `CollectorRegistry` (never prometheus_client's global one) keeps the
metrics of one kiosk apart from anything else in the process and lets tests
create as many as they like.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Enum,
    Gauge,
    Histogram,
    Info,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from kiosk import __version__
from kiosk.media.interface import MediaStats
from kiosk.session_state import DeviceState, ErrorCode, SessionState

# Meetings last minutes to hours: buckets from 30 s to 4 h.
CALL_DURATION_BUCKETS = (30, 60, 300, 600, 1800, 3600, 7200, 14400, float("inf"))
DEVICES = ("camera", "microphone", "speaker")


class KioskMetrics:
    """Every metric the kiosk exports on /metrics, with small methods to update them."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, version: str = __version__, process_metrics: bool = True) -> None:
        self.registry = CollectorRegistry()
        reg = self.registry
        Info("kiosk_build", "Version of the kiosk software", registry=reg).info(
            {"version": version}
        )
        self.state = Enum(
            "kiosk_state", "Current state of the join state machine",
            states=[s.value for s in SessionState], registry=reg,
        )
        self.device_state = Enum(
            "kiosk_device_state", "Camera, microphone and speaker state",
            ["device"], states=[s.value for s in DeviceState], registry=reg,
        )
        self.join_attempts = Counter(
            "kiosk_join_attempts", "Joins started (a tap on a meeting)", registry=reg
        )
        self.calls = Counter(
            "kiosk_calls", "Joins that reached the meeting (or its waiting room)", registry=reg
        )
        self.join_failures = Counter(
            "kiosk_join_failures", "Joins that ended in an error before reaching the meeting",
            ["reason"], registry=reg,
        )
        self.calls_ended = Counter(
            "kiosk_calls_ended", "Calls that ended, by reason ('left' = the room hung up)",
            ["reason"], registry=reg,
        )
        self.call_duration = Histogram(
            "kiosk_call_duration_seconds", "Length of finished calls",
            buckets=CALL_DURATION_BUCKETS, registry=reg,
        )
        self.token_refreshes = Counter(
            "kiosk_token_refreshes", "Successful token refreshes", registry=reg
        )
        self.token_refresh_failures = Counter(
            "kiosk_token_refresh_failures",
            "Token refreshes that failed for good (the call was lost)", registry=reg,
        )
        self.fps = Gauge(
            "kiosk_video_frames_per_second", "Video frame rate of the current call",
            ["direction"], registry=reg,
        )
        # Media quality of the current call (0 outside a call), for the fleet dashboard.
        self.bitrate = Gauge(
            "kiosk_video_bitrate_kbps", "Media bitrate of the current call in kbit/s",
            ["direction"], registry=reg,
        )
        self.packets_lost = Gauge(
            "kiosk_call_packets_lost", "Packets lost so far in the current call (received)",
            registry=reg,
        )
        self.round_trip = Gauge(
            "kiosk_call_round_trip_seconds",
            "Round-trip time of the current call's media (0 when unknown)", registry=reg,
        )
        self.last_error = Gauge(
            "kiosk_last_error_timestamp_seconds",
            "When the session last showed an error (Unix time), labelled with its code",
            ["code"], registry=reg,
        )
        self.node_reachable = Gauge(
            "kiosk_node_reachable", "1 when the Conferencing Node answered its last check",
            registry=reg,
        )
        self.admin_lockouts = Counter(
            "kiosk_admin_lockouts", "Admin screen lock-outs after repeated wrong admin PINs",
            registry=reg,
        )
        self.admin_lockout_seconds = Gauge(
            "kiosk_admin_lockout_seconds", "Length of the last admin lock-out (0: none yet)",
            registry=reg,
        )
        self.asyncio_tasks = Gauge(
            "kiosk_asyncio_tasks", "asyncio tasks alive on the kiosk's loop (growth = a leak)",
            registry=reg,
        )
        for direction in ("in", "out"):
            self.fps.labels(direction=direction).set(0)
            self.bitrate.labels(direction=direction).set(0)
        for device in DEVICES:
            self.device_state.labels(device=device).state(DeviceState.UNKNOWN.value)
        # Every reason at 0 from the start: Prometheus' increase() counts a failure only
        # when its series existed before it (a series first seen at 1 would count as 0).
        for code in ErrorCode:
            self.join_failures.labels(reason=code.value)
            self.calls_ended.labels(reason=code.value)
        self.calls_ended.labels(reason="left")
        self.state.state(SessionState.IDLE.value)
        if process_metrics:
            # CPU, memory and start time of this process, for the fleet dashboard.
            ProcessCollector(registry=reg)

    def set_state(self, state: SessionState) -> None:
        """Record the current session state."""
        self.state.state(state.value)

    def set_device_state(self, device: str, state: DeviceState) -> None:
        """Record a media device's state (`device` is camera, microphone or speaker)."""
        self.device_state.labels(device=device).state(state.value)

    def set_fps(self, fps_in: float, fps_out: float) -> None:
        """Record the received and sent video frame rates (0 outside a call)."""
        self.fps.labels(direction="in").set(fps_in)
        self.fps.labels(direction="out").set(fps_out)

    def set_media(self, stats: MediaStats | None) -> None:
        """Record the current call's frame rates and quality (None: no call, all 0)."""
        stats = stats or MediaStats()
        self.set_fps(stats.fps_received, stats.fps_sent)
        self.bitrate.labels(direction="in").set(stats.bitrate_in_kbps)
        self.bitrate.labels(direction="out").set(stats.bitrate_out_kbps)
        self.packets_lost.set(stats.packets_lost)
        self.round_trip.set((stats.round_trip_ms or 0.0) / 1000.0)

    def set_last_error(self, code: str, at: float) -> None:
        """Record the newest error (only one code at a time: the last one)."""
        self.last_error.clear()
        self.last_error.labels(code=code).set(at)

    def record_admin_lockout(self, seconds: float) -> None:
        """Count an admin lock-out that just started, lasting `seconds`."""
        self.admin_lockouts.inc()
        self.admin_lockout_seconds.set(seconds)

    def set_node_reachable(self, reachable: bool) -> None:
        """Record the result of the last node check."""
        self.node_reachable.set(1 if reachable else 0)

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
