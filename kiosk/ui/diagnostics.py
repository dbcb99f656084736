"""The admin screen's diagnostics: what an installer needs to see at a glance."""

from __future__ import annotations

from dataclasses import dataclass

import kiosk
from kiosk.config import Settings
from kiosk.session_state import DeviceState, DeviceStatus, SessionSnapshot
from kiosk.ui.device_probe import (
    CameraPresence,
    DeviceInventory,
    camera_presence,
    ip_addresses,
    sound_device_summary,
)
from kiosk.ui.theme import Texts


@dataclass(frozen=True)
class DiagnosticRow:
    """One labelled line of the admin screen."""

    label: str
    value: str
    ok: bool | None = None  # True green, False red, None neutral


def _device_text(configured: str, status: DeviceStatus, fallback: str) -> tuple[str, bool | None]:
    if status.state is DeviceState.ACTIVE:
        return f"{configured}: in use", True
    if status.state is DeviceState.UNAVAILABLE:
        return f"{configured}: unavailable ({status.reason or 'no reason given'})", False
    if status.state is DeviceState.DISABLED:
        return f"{configured}: turned off", None
    return fallback, None


def collect_diagnostics(
    settings: Settings,
    snapshot: SessionSnapshot,
    node_reachable: bool | None,
    last_error: str,
    inventory: DeviceInventory,
    texts: Texts,
) -> list[DiagnosticRow]:
    """Rows for version, node, reachability, camera, microphone, speaker, IP and last error."""
    presence = camera_presence(settings, inventory)
    camera_default = {
        CameraPresence.FOUND: f"{settings.camera} ({', '.join(inventory.video) or 'found'})",
        CameraPresence.TEST: "test pattern",
        CameraPresence.MISSING: f"{settings.camera}: not found",
        CameraPresence.DISABLED: texts.camera_disabled,
    }[presence]
    camera, camera_ok = _device_text(settings.camera, snapshot.camera, camera_default)
    if snapshot.camera.state is DeviceState.UNKNOWN:
        camera_ok = presence in (CameraPresence.FOUND, CameraPresence.TEST)
    mic, mic_ok = _device_text(
        settings.microphone,
        snapshot.microphone,
        sound_device_summary(settings.microphone, inventory.capture, texts.none),
    )
    speaker, speaker_ok = _device_text(
        settings.speaker,
        snapshot.speaker,
        sound_device_summary(settings.speaker, inventory.playback, texts.none),
    )
    reachable = {None: texts.unknown, True: texts.yes, False: texts.no}[node_reachable]
    return [
        DiagnosticRow(texts.diag_version, kiosk.__version__),
        DiagnosticRow(texts.diag_node, settings.node or texts.none),
        DiagnosticRow(texts.diag_node_reachable, reachable, node_reachable),
        DiagnosticRow(texts.diag_camera, camera, camera_ok),
        DiagnosticRow(texts.diag_microphone, mic, mic_ok),
        DiagnosticRow(texts.diag_speaker, speaker, speaker_ok),
        DiagnosticRow(texts.diag_ip, ", ".join(ip_addresses()) or texts.none),
        DiagnosticRow(texts.diag_last_error, last_error or texts.none),
    ]
