"""Backlight dimming, device presence and the call timer (files stand in for /sys and /dev)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kiosk.config import Settings
from kiosk.session_state import DeviceState, DeviceStatus, SessionSnapshot
from kiosk.ui.admin.diagnostics import collect_diagnostics
from kiosk.ui.device.backlight import Backlight
from kiosk.ui.device.device_probe import CameraPresence, camera_presence, scan_devices
from kiosk.ui.screens.call_time import format_call_time
from kiosk.ui.theme import THEME


def _sysfs(tmp_path: Path) -> Path:
    device = tmp_path / "backlight" / "panel"
    device.mkdir(parents=True)
    (device / "brightness").write_text("200\n")
    (device / "max_brightness").write_text("255\n")
    return tmp_path / "backlight"


def test_backlight_dims_and_restores(tmp_path: Path) -> None:
    sysfs = _sysfs(tmp_path)
    backlight = Backlight.from_setting("auto", sysfs=sysfs)
    assert backlight.available
    assert backlight.dim()
    assert (sysfs / "panel" / "brightness").read_text() == "25"
    backlight.restore()
    assert (sysfs / "panel" / "brightness").read_text() == "200"


def test_backlight_none_or_missing_does_nothing(tmp_path: Path) -> None:
    assert not Backlight.from_setting("none", sysfs=_sysfs(tmp_path)).available
    assert not Backlight.from_setting("auto", sysfs=tmp_path / "absent").available
    missing = Backlight.from_setting(str(tmp_path / "nope"))
    assert not missing.dim()


def test_camera_presence_follows_the_setting_and_dev(tmp_path: Path) -> None:
    settings = Settings()
    empty = scan_devices(tmp_path)
    assert camera_presence(settings, empty) is CameraPresence.MISSING
    (tmp_path / "video0").touch()
    assert camera_presence(settings, scan_devices(tmp_path)) is CameraPresence.FOUND
    assert camera_presence(replace(settings, camera="test"), empty) is CameraPresence.TEST
    assert camera_presence(replace(settings, camera="none"), empty) is CameraPresence.DISABLED
    path = replace(settings, camera=str(tmp_path / "video0"))
    assert camera_presence(path, empty) is CameraPresence.FOUND


def test_diagnostics_rows_show_device_problems_in_words(tmp_path: Path) -> None:
    snapshot = SessionSnapshot(camera=DeviceStatus(DeviceState.UNAVAILABLE, "device busy"))
    rows = collect_diagnostics(Settings(node="https://node.example"), snapshot, False,
                               "The meeting has ended.", scan_devices(tmp_path), THEME.texts)
    by_label = {row.label: row for row in rows}
    assert by_label["Camera"].value == "auto: unavailable (device busy)"
    assert by_label["Camera"].ok is False
    assert by_label["Node reachable"].value == "No"
    assert by_label["Last error"].value == "The meeting has ended."


def test_call_time_format() -> None:
    assert format_call_time(0) == "0:00"
    assert format_call_time(247.9) == "4:07"
    assert format_call_time(3729) == "1:02:09"
    assert format_call_time(-5) == "0:00"
