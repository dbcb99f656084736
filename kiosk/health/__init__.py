"""Fleet monitoring: GET /healthz (JSON) and GET /metrics (Prometheus) for one kiosk."""

from kiosk.health.metrics import KioskMetrics
from kiosk.health.node_probe import CachedNodeProbe, NodeCheck
from kiosk.health.server import HealthServer
from kiosk.health.session_health import SessionHealth
from kiosk.health.session_recorder import RecordedError, SessionMetricsRecorder

__all__ = [
    "CachedNodeProbe",
    "HealthServer",
    "KioskMetrics",
    "NodeCheck",
    "RecordedError",
    "SessionHealth",
    "SessionMetricsRecorder",
]
