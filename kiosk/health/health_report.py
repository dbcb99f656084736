"""The JSON document served on GET /healthz.

Built only from the session snapshot and plain facts (version, uptime, node
check, last error): a snapshot holds no PIN and no token, so neither can appear.
"""

from __future__ import annotations

from typing import Any

from kiosk.health.node_probe import NodeCheck
from kiosk.health.session_recorder import RecordedError
from kiosk.session_state import DeviceState, DeviceStatus, SessionSnapshot, SessionState


def _device(status: DeviceStatus) -> dict[str, str]:
    return {"state": status.state.value, "reason": status.reason}


def overall_status(snapshot: SessionSnapshot, node: NodeCheck | None) -> str:
    """'ok', or 'degraded' when the node is unreachable, a device is missing or the
    session shows an error (the kiosk itself is still up and answering)."""
    devices = (snapshot.camera, snapshot.microphone, snapshot.speaker)
    if (
        snapshot.state is SessionState.ERROR
        or (node is not None and not node.reachable)
        or any(d.state is DeviceState.UNAVAILABLE for d in devices)
    ):
        return "degraded"
    return "ok"


def build_health_report(
    snapshot: SessionSnapshot,
    version: str,
    uptime_seconds: float,
    now: float,
    wall_now: float,
    node: NodeCheck | None = None,
    last_error: RecordedError | None = None,
) -> dict[str, Any]:
    """The /healthz document. `now` is time.monotonic(), `wall_now` is time.time()."""
    call: dict[str, Any] | None = None
    if snapshot.in_call:
        call = {
            "alias": snapshot.alias,
            "conference_name": snapshot.conference_name,
            "role": snapshot.role,
            "participant_count": snapshot.participant_count,
            "seconds": (round(now - snapshot.connected_since, 1)
                        if snapshot.connected_since is not None else None),
            "microphone_muted": snapshot.microphone_muted,
            "camera_muted": snapshot.camera_muted,
        }
    return {
        "status": overall_status(snapshot, node),
        "state": snapshot.state.value,
        "version": version,
        "uptime_seconds": round(uptime_seconds, 1),
        "node": {
            "reachable": node.reachable if node is not None else None,
            "checked_seconds_ago": round(now - node.checked_at, 1) if node is not None else None,
        },
        "camera": _device(snapshot.camera),
        "microphone": _device(snapshot.microphone),
        "speaker": _device(snapshot.speaker),
        "call": call,
        "last_error": None if last_error is None else {
            "code": last_error.error.code.value,
            "message": last_error.error.message,
            "seconds_ago": round(max(0.0, wall_now - last_error.at), 1),
        },
    }
