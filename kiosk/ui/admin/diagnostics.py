"""The admin screen's diagnostics: what an installer needs to see at a glance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import kiosk
from kiosk.calendar.calendar_status import CalendarHealth, CalendarStatus
from kiosk.calendar.home_agenda import AgendaView
from kiosk.config import Settings
from kiosk.session_state import DeviceState, DeviceStatus, SessionSnapshot
from kiosk.ui.device.device_probe import (
    CameraPresence,
    DeviceInventory,
    camera_presence,
    ip_addresses,
)
from kiosk.ui.theme import Texts


@dataclass(frozen=True)
class DiagnosticRow:
    """One labelled line of the admin screen."""

    label: str
    value: str
    ok: bool | None = None  # True green, False red, None neutral


def _in_call_text(
    configured: str, status: DeviceStatus, texts: Texts, render: Callable[[str], str]
) -> tuple[str, bool | None] | None:
    """How the session last saw a device, or None before any call."""
    if status.state is DeviceState.ACTIVE:
        return texts.device_in_use.format(device=configured), True
    if status.state is DeviceState.UNAVAILABLE:
        reason = render(status.reason) or texts.device_no_reason
        return texts.device_unavailable.format(device=configured, reason=reason), False
    if status.state is DeviceState.DISABLED:
        return texts.device_turned_off.format(device=configured), None
    return None


def _sound_text(choice: str, present: tuple[str, ...], texts: Texts) -> tuple[str, bool | None]:
    lowered = choice.strip().lower()
    if lowered == "none":
        return texts.none, None
    if lowered == "test":
        return texts.device_test, None
    if present:
        return texts.devices_found.format(device=choice, count=len(present)), True
    return texts.devices_none_found.format(device=choice), False


def _camera_text(
    settings: Settings, inventory: DeviceInventory, texts: Texts
) -> tuple[str, bool | None]:
    presence = camera_presence(settings, inventory)
    if presence is CameraPresence.FOUND:
        found = ", ".join(inventory.video) or settings.camera
        return f"{settings.camera} ({found})", True
    if presence is CameraPresence.TEST:
        return texts.camera_test_pattern, True
    if presence is CameraPresence.DISABLED:
        return texts.camera_disabled, None
    return texts.device_not_found.format(device=settings.camera), False


def collect_diagnostics(
    settings: Settings,
    snapshot: SessionSnapshot,
    node_reachable: bool | None,
    last_error: str,
    inventory: DeviceInventory,
    texts: Texts,
    render: Callable[[str], str] = str,
) -> list[DiagnosticRow]:
    """Rows for version, node, reachability, camera, microphone, speaker, IP and last error.

    `render` shows a device's reason (a `Message` from the media layer) in the room's language.
    """
    camera = _in_call_text(settings.camera, snapshot.camera, texts, render) or _camera_text(
        settings, inventory, texts
    )
    microphone = _in_call_text(settings.microphone, snapshot.microphone, texts,
                               render) or _sound_text(settings.microphone, inventory.capture, texts)
    speaker = _in_call_text(settings.speaker, snapshot.speaker, texts, render) or _sound_text(
        settings.speaker, inventory.playback, texts
    )
    reachable = {None: texts.unknown, True: texts.yes, False: texts.no}[node_reachable]
    return [
        DiagnosticRow(texts.diag_version, kiosk.__version__),
        DiagnosticRow(texts.diag_node, settings.node or texts.none),
        DiagnosticRow(texts.diag_node_reachable, reachable, node_reachable),
        DiagnosticRow(texts.diag_camera, *camera),
        DiagnosticRow(texts.diag_microphone, *microphone),
        DiagnosticRow(texts.diag_speaker, *speaker),
        DiagnosticRow(texts.diag_ip, ", ".join(ip_addresses()) or texts.none),
        DiagnosticRow(texts.diag_last_error, last_error or texts.none),
    ]


def calendar_rows(status: CalendarStatus, view: AgendaView, texts: Texts,
                  zone: dt.tzinfo | None = None) -> list[DiagnosticRow]:
    """The calendar's state (one line, the problem included) and the next meeting with the
    rule that matched its invitation, or why it cannot be joined (never a PIN)."""
    ok = {CalendarHealth.OK: True, CalendarHealth.STALE: False,
          CalendarHealth.FAILED: False}.get(status.health)
    rows = [DiagnosticRow(texts.diag_calendar, status.summary(zone), ok)]
    meeting = view.featured.meeting if view.featured is not None else (
        view.later[0] if view.later else None)
    if meeting is not None:
        start = texts.clock.time_text(meeting.start.astimezone(zone))
        target = meeting.address.target
        how = (f"{meeting.address.rule}: {target.alias}" if target is not None
               else f"{meeting.address.rule or '-'}: {meeting.address.reason}")
        rows.append(DiagnosticRow(texts.diag_calendar_next,
                                  f"{start} {meeting.shown_subject} — {how}",
                                  True if target is not None else None))
    return rows
