"""The systemd units: `systemd-analyze verify`, the security score, and the policy in them."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from provisioning_support import PROVISIONING, UNIT_FILES, parse_unit, run, unit_values

MAIN = PROVISIONING / "pexip-kiosk.service"
CAGE = PROVISIONING / "pexip-kiosk-cage.service"
NOBLANK = PROVISIONING / "pexip-kiosk-noblank.service"
VENV_EXEC = "/opt/pexip-kiosk/venv/bin/pexip-kiosk"


def test_every_unit_file_is_covered() -> None:
    assert {p.name for p in UNIT_FILES} == {
        "pexip-kiosk.service", "pexip-kiosk-cage.service", "pexip-kiosk-noblank.service"
    }


@pytest.mark.parametrize("unit", UNIT_FILES, ids=lambda p: p.name)
def test_systemd_analyze_verify_is_silent(unit: Path, tmp_path: Path) -> None:
    """verify exits 0 even on unknown keys or bad values, so any output is a failure.

    The venv's binary does not exist on this machine: the copy verified here runs
    /bin/true instead (the real path is verified inside the debootstrap tree by
    test_provisioning_chroot.py).
    """
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace(f"ExecStart={VENV_EXEC} ", "ExecStart=/bin/true "))
    result = run(["systemd-analyze", "verify", copy], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def test_verify_would_catch_a_mistake(tmp_path: Path) -> None:
    """The check above can fail: a typo'd key and a bad value are reported."""
    broken = tmp_path / "broken.service"
    broken.write_text(MAIN.read_text()
                      .replace(f"ExecStart={VENV_EXEC} ", "ExecStart=/bin/true ")
                      .replace("WatchdogSec=30", "WatchdogSec=thirty\nRestartPreventExitStat=2"))
    result = run(["systemd-analyze", "verify", broken], cwd=tmp_path)
    assert "Failed to parse sec value" in result.stderr
    assert "Unknown key 'RestartPreventExitStat'" in result.stderr


def test_kiosk_unit_runs_on_tty1_with_kms_and_the_notify_watchdog() -> None:
    service = dict((k, v) for s, k, v in parse_unit(MAIN) if s == "Service")
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "main"
    assert 10 <= int(service["WatchdogSec"]) <= 120
    assert service["ExecStart"] == f"{VENV_EXEC} run --env-file /etc/pexip-kiosk/kiosk.env"
    assert service["User"] == "kiosk"
    assert service["TTYPath"] == "/dev/tty1"
    assert service["StandardOutput"] == service["StandardError"] == "journal"
    assert service["StateDirectory"] == "pexip-kiosk"
    environment = " ".join(unit_values(MAIN, "Service", "Environment")).split()
    assert "SDL_VIDEODRIVER=kmsdrm" in environment
    assert "KIVY_WINDOW=sdl2" in environment
    assert "KIVY_HOME=/var/lib/pexip-kiosk/kivy" in environment  # inside StateDirectory
    assert unit_values(MAIN, "Unit", "Conflicts") == ["getty@tty1.service"]
    assert "getty@tty1.service" in " ".join(unit_values(MAIN, "Unit", "After"))
    assert unit_values(MAIN, "Install", "WantedBy") == ["multi-user.target"]


@pytest.mark.parametrize("unit", [MAIN, CAGE], ids=lambda p: p.name)
def test_a_bad_kiosk_env_stops_the_unit_instead_of_a_restart_storm(unit: Path) -> None:
    restart = dict((k, v) for s, k, v in parse_unit(unit) if s == "Service")
    assert restart["Restart"] == "always"
    assert 1 <= int(restart["RestartSec"]) <= 10
    # Exit code 2 = configuration error (kiosk.cli EXIT_USAGE): never restarted; nor 10,
    # the admin's "Quit to system", which is a success that gives tty1 back.
    assert restart["RestartPreventExitStatus"].split() == ["2", "10"]
    assert restart["SuccessExitStatus"].split() == ["10"]
    assert "getty@tty1.service" in restart["ExecStopPost"]
    # Anything else that keeps failing gives up after a handful of starts: a crash
    # loop restarts every RestartSec, so `burst` starts fit well inside the interval.
    burst = int(unit_values(unit, "Unit", "StartLimitBurst")[0])
    interval = int(unit_values(unit, "Unit", "StartLimitIntervalSec")[0])
    assert 2 <= burst <= 5
    assert interval >= 10 * burst * int(restart["RestartSec"])


def stop_post_command(unit: Path) -> tuple[str, list[str]]:
    """ExecStopPost= as systemd runs it: (its prefixes, argv with `$$` turned into `$`)."""
    (value,) = unit_values(unit, "Service", "ExecStopPost")
    command = value.lstrip("-+@:!")
    return value[: len(value) - len(command)], shlex.split(command.replace("$$", "$"))


@pytest.mark.parametrize("unit", [MAIN, CAGE], ids=lambda p: p.name)
@pytest.mark.parametrize(
    ("exit_status", "starts_getty"),
    [("10", True), ("0", False), ("2", False), ("1", False), ("TERM", False), ("", False)],
)
def test_only_the_admin_quit_gives_tty1_back_to_the_login_prompt(
    unit: Path, exit_status: str, starts_getty: bool, tmp_path: Path
) -> None:
    """The unit's ExecStopPost line, run by a real shell with systemd's EXIT_STATUS.

    systemd sets EXIT_STATUS (a number, or a signal name) for ExecStopPost=; `$$` in a
    unit is a literal `$`. A `systemctl` on PATH records what it is asked to do.
    """
    prefixes, argv = stop_post_command(unit)
    # '+': runs as root, outside the sandbox (the kiosk user may not start units);
    # '-': a failure here never marks the kiosk failed.
    assert set(prefixes) == {"-", "+"}
    calls = tmp_path / "systemctl.calls"
    fake = tmp_path / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    fake.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "EXIT_CODE": "exited", "EXIT_STATUS": exit_status}
    result = run(argv, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    recorded = calls.read_text().splitlines() if calls.exists() else []
    assert recorded == (["--no-block start getty@tty1.service"] if starts_getty else [])


def test_the_cli_exit_code_for_a_config_error_is_the_one_the_unit_does_not_restart() -> None:
    from kiosk import cli
    from kiosk.ui.launch import launcher

    prevented = unit_values(MAIN, "Service", "RestartPreventExitStatus")[0].split()
    assert str(cli.EXIT_USAGE) in prevented
    assert str(launcher.EXIT_ADMIN_QUIT) in prevented


@pytest.mark.parametrize("unit", [MAIN, CAGE], ids=lambda p: p.name)
def test_hardening_and_only_the_devices_the_kiosk_needs(unit: Path) -> None:
    service = dict((k, v) for s, k, v in parse_unit(unit) if s == "Service")
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ProtectHome"] in ("yes", "read-only")
    assert service["PrivateTmp"] == "yes"
    assert service["CapabilityBoundingSet"] == ""
    assert service["DevicePolicy"] == "closed"
    assert "PrivateDevices" not in service  # it would hide /dev/dri, /dev/input, ...
    devices = {v.split()[0] for v in unit_values(unit, "Service", "DeviceAllow")}
    assert devices == {"char-drm", "char-input", "char-video4linux", "char-alsa", "/dev/tty1"}


def test_systemd_analyze_security_rates_the_unit_ok(tmp_path: Path) -> None:
    copy = tmp_path / "pexip-kiosk.service"
    shutil.copy(MAIN, copy)
    # --threshold: a non-zero exit above "OK" territory (exposure 5.0 of 10).
    result = run(["systemd-analyze", "security", "--offline=true", "--threshold=50",
                  "--no-pager", copy], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    exposure = re.search(r"Overall exposure level for pexip-kiosk.service: ([0-9.]+)",
                         result.stdout)
    assert exposure and float(exposure.group(1)) < 5.0


def test_noblank_unit_writes_to_tty1_once() -> None:
    service = dict((k, v) for s, k, v in parse_unit(NOBLANK) if s == "Service")
    assert service["Type"] == "oneshot"
    assert service["TTYPath"] == "/dev/tty1" and service["StandardOutput"] == "tty"
    assert service["ExecStart"] == "/usr/bin/setterm --blank 0 --powerdown 0"
    assert unit_values(NOBLANK, "Unit", "Before") == ["pexip-kiosk.service"]


def test_cage_variant_lets_the_kiosk_child_feed_the_watchdog() -> None:
    service = dict((k, v) for s, k, v in parse_unit(CAGE) if s == "Service")
    assert service["NotifyAccess"] == "all"
    assert service["ExecStart"].startswith("/usr/bin/env -u WATCHDOG_PID /usr/bin/cage ")
    assert service["ExecStart"].endswith(f"{VENV_EXEC} run --env-file /etc/pexip-kiosk/kiosk.env")
    assert service["PAMName"] == "pexip-kiosk-cage"
    assert (PROVISIONING / "pam" / "pexip-kiosk-cage").is_file()
    assert "SDL_VIDEODRIVER=wayland" in " ".join(unit_values(CAGE, "Service", "Environment"))


@pytest.mark.parametrize("unit", [MAIN, CAGE], ids=lambda p: p.name)
def test_the_kiosk_runs_with_few_malloc_arenas(unit: Path) -> None:
    environment = " ".join(unit_values(unit, "Service", "Environment")).split()
    assert "MALLOC_ARENA_MAX=2" in environment  # measured: less PSS in a call (see the unit)
