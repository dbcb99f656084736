"""KioskMetrics and SessionMetricsRecorder: snapshots in, Prometheus text out."""

from __future__ import annotations

import dataclasses

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from kiosk.health.metrics import KioskMetrics
from kiosk.health.session_recorder import SessionMetricsRecorder
from kiosk.session_state import (
    DeviceState,
    DeviceStatus,
    ErrorCode,
    SessionError,
    SessionSnapshot,
    SessionState,
)

S = SessionState


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def samples(metrics: KioskMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the rendered text, keyed by (name, sorted labels)."""
    text = metrics.render().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(metrics: KioskMetrics, name: str, **labels: str) -> float:
    return samples(metrics).get((name, tuple(sorted(labels.items()))), 0.0)


def snap(state: SessionState, **fields: object) -> SessionSnapshot:
    return dataclasses.replace(SessionSnapshot(state=state), **fields)


def test_a_call_is_counted_timed_and_ended_by_reason() -> None:
    metrics = KioskMetrics(version="9.9.9", process_metrics=False)
    clock = FakeClock()
    recorder = SessionMetricsRecorder(metrics, clock=clock)
    for state in (S.CONNECTING, S.PIN_REQUIRED, S.CONNECTING, S.WAITING_FOR_HOST):
        recorder.on_snapshot(snap(state))
    assert value(metrics, "kiosk_join_attempts_total") == 1
    assert value(metrics, "kiosk_calls_total") == 1
    clock.now += 90
    recorder.on_snapshot(snap(S.CONNECTED, token_refreshes=2))
    recorder.on_snapshot(snap(S.RECONNECTING, token_refreshes=3))
    clock.now += 60
    recorder.on_snapshot(snap(S.DISCONNECTING, token_refreshes=3))
    recorder.on_snapshot(snap(S.IDLE))

    assert value(metrics, "kiosk_calls_total") == 1  # one call, however many states
    assert value(metrics, "kiosk_calls_ended_total", reason="left") == 1
    assert value(metrics, "kiosk_call_duration_seconds_count") == 1
    assert value(metrics, "kiosk_call_duration_seconds_sum") == 150
    assert value(metrics, "kiosk_call_duration_seconds_bucket", le="300.0") == 1
    assert value(metrics, "kiosk_call_duration_seconds_bucket", le="60.0") == 0
    assert value(metrics, "kiosk_token_refreshes_total") == 3
    assert value(metrics, "kiosk_join_failures_total", reason="invalid_pin") == 0
    assert value(metrics, "kiosk_state", kiosk_state="IDLE") == 1
    assert value(metrics, "kiosk_state", kiosk_state="CONNECTED") == 0
    assert value(metrics, "kiosk_build_info", version="9.9.9") == 1


def test_join_failures_by_reason_and_calls_lost_by_error() -> None:
    metrics = KioskMetrics(process_metrics=False)
    recorder = SessionMetricsRecorder(metrics, wall_clock=FakeClock(5000.0))
    not_found = SessionError(ErrorCode.CONFERENCE_NOT_FOUND, "No meeting called meet.x")
    recorder.on_snapshot(snap(S.CONNECTING))
    recorder.on_snapshot(snap(S.ERROR, error=not_found))
    # The error screen is re-published (e.g. a notice): still one failure.
    recorder.on_snapshot(snap(S.ERROR, error=not_found, notice="Tap to go back"))
    assert value(metrics, "kiosk_join_failures_total", reason="conference_not_found") == 1
    assert recorder.last_error is not None
    assert recorder.last_error.error == not_found and recorder.last_error.at == 5000.0

    # The next join gets a call, which the token refresher then loses.
    expired = SessionError(ErrorCode.TOKEN_EXPIRED, "The meeting connection expired")
    recorder.on_snapshot(snap(S.CONNECTING))
    recorder.on_snapshot(snap(S.CONNECTED))
    recorder.on_snapshot(snap(S.ERROR, error=expired))
    assert value(metrics, "kiosk_join_attempts_total") == 2
    assert value(metrics, "kiosk_calls_ended_total", reason="token_expired") == 1
    assert value(metrics, "kiosk_token_refresh_failures_total") == 1
    assert value(metrics, "kiosk_join_failures_total", reason="token_expired") == 0
    assert recorder.last_error is not None and recorder.last_error.error == expired

    # Abandoned at the PIN prompt: an attempt, neither a call nor a failure.
    recorder.on_snapshot(snap(S.CONNECTING))
    recorder.on_snapshot(snap(S.PIN_REQUIRED))
    recorder.on_snapshot(snap(S.IDLE))
    assert value(metrics, "kiosk_join_attempts_total") == 3
    assert value(metrics, "kiosk_calls_total") == 1
    assert recorder.last_error is not None and recorder.last_error.error == expired


def test_devices_state_fps_and_node() -> None:
    metrics = KioskMetrics(process_metrics=False)
    recorder = SessionMetricsRecorder(metrics)
    assert value(metrics, "kiosk_device_state", device="camera", kiosk_device_state="unknown") == 1
    recorder.on_snapshot(snap(
        S.CONNECTED,
        camera=DeviceStatus(DeviceState.UNAVAILABLE, "No camera found"),
        microphone=DeviceStatus(DeviceState.ACTIVE),
        speaker=DeviceStatus(DeviceState.DISABLED),
    ))
    assert value(metrics, "kiosk_device_state", device="camera",
                 kiosk_device_state="unavailable") == 1
    assert value(metrics, "kiosk_device_state", device="camera", kiosk_device_state="unknown") == 0
    assert value(metrics, "kiosk_device_state", device="microphone",
                 kiosk_device_state="active") == 1
    assert value(metrics, "kiosk_device_state", device="speaker",
                 kiosk_device_state="disabled") == 1
    metrics.set_fps(29.5, 15.0)
    metrics.set_node_reachable(False)
    assert value(metrics, "kiosk_video_frames_per_second", direction="in") == 29.5
    assert value(metrics, "kiosk_video_frames_per_second", direction="out") == 15.0
    assert value(metrics, "kiosk_node_reachable") == 0


def test_each_kiosk_has_its_own_registry_never_the_global_one() -> None:
    first = KioskMetrics(process_metrics=True)
    second = KioskMetrics(process_metrics=True)
    first.join_attempts.inc()
    assert value(first, "kiosk_join_attempts_total") == 1
    assert value(second, "kiosk_join_attempts_total") == 0
    assert REGISTRY.get_sample_value("kiosk_join_attempts_total") is None
    # Process metrics (CPU, memory) come with the kiosk's own registry.
    assert value(first, "process_resident_memory_bytes") > 0


def test_attach_records_the_current_snapshot_and_unsubscribes() -> None:
    metrics = KioskMetrics(process_metrics=False)
    recorder = SessionMetricsRecorder(metrics)
    subscribers = []

    def subscribe(callback):
        subscribers.append(callback)
        return lambda: subscribers.remove(callback)

    unsubscribe = recorder.attach(subscribe, current=snap(S.CONNECTED))
    assert value(metrics, "kiosk_state", kiosk_state="CONNECTED") == 1
    assert value(metrics, "kiosk_calls_total") == 1
    assert subscribers == [recorder.on_snapshot]
    unsubscribe()
    assert subscribers == []


def test_media_quality_and_the_last_error_per_room() -> None:
    from kiosk.media.interface import MediaStats

    metrics = KioskMetrics(process_metrics=False)
    clock = FakeClock(1_700_000_000.0)
    recorder = SessionMetricsRecorder(metrics, wall_clock=clock)
    metrics.set_media(MediaStats(fps_sent=25.0, fps_received=30.0, bitrate_in_kbps=1800.0,
                                 bitrate_out_kbps=950.5, packets_lost=12, round_trip_ms=42.0))
    assert value(metrics, "kiosk_video_frames_per_second", direction="in") == 30.0
    assert value(metrics, "kiosk_video_bitrate_kbps", direction="in") == 1800.0
    assert value(metrics, "kiosk_video_bitrate_kbps", direction="out") == 950.5
    assert value(metrics, "kiosk_call_packets_lost") == 12
    assert value(metrics, "kiosk_call_round_trip_seconds") == 0.042
    metrics.set_media(None)  # the call ended: every figure back to 0
    assert value(metrics, "kiosk_video_bitrate_kbps", direction="in") == 0
    assert value(metrics, "kiosk_call_round_trip_seconds") == 0

    recorder.on_snapshot(snap(S.CONNECTING))
    recorder.on_snapshot(snap(S.ERROR, error=SessionError(ErrorCode.NODE_UNREACHABLE, "x")))
    assert value(metrics, "kiosk_last_error_timestamp_seconds",
                 code="node_unreachable") == 1_700_000_000.0
    clock.now += 60
    recorder.on_snapshot(snap(S.CONNECTING))
    recorder.on_snapshot(snap(S.ERROR, error=SessionError(ErrorCode.INVALID_PIN, "y")))
    last = {labels: v for (name, labels), v in samples(metrics).items()
            if name == "kiosk_last_error_timestamp_seconds"}
    assert last == {(("code", "invalid_pin"),): 1_700_000_060.0}  # only the newest


def test_every_failure_reason_is_exported_from_the_start() -> None:
    metrics = KioskMetrics(process_metrics=False)
    exported = samples(metrics)
    for code in ErrorCode:
        assert exported[("kiosk_join_failures_total", (("reason", code.value),))] == 0
    assert exported[("kiosk_calls_ended_total", (("reason", "left"),))] == 0
