"""install.sh --root into a minimal Debian 12 tree made with debootstrap (slow: minutes).

The whole install runs for real: apt, the kiosk user, pip (from PyPI), the
settings file, the units (enabled with symlinks), PipeWire echo cancellation.
Then: files, modes, user, units (`systemd-analyze verify` inside the tree), the
venv's `pexip-kiosk --version` in the chroot, a broken kiosk.env as the kiosk
user, PortAudio seeing the echo-cancelled devices, the cloud-init example, and a
second run that changes nothing.

The transcript (commands, output, timings) is written to
/var/cache/pexip-kiosk-tests/last-chroot-install.log.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from debian_tree import CACHE_DIR, base_tarball, chroot, mounted, remove_tree, unpack
from provisioning_support import INSTALL_SH, PROVISIONING, REPO, run

from kiosk import __version__

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

TRANSCRIPT = CACHE_DIR / "last-chroot-install.log"
PACKAGE_PATHS = ("pyproject.toml", "README.md", "kiosk", "assets")


@dataclass
class InstalledTree:
    """The tree after install.sh, and what happened on the way."""

    root: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    log: list[str] = field(default_factory=list)


def snapshot_package(into: Path) -> Path:
    """A copy of the package's sources: other work in the checkout cannot change it mid-test."""
    source = into / "kiosk-source"
    source.mkdir()
    for name in PACKAGE_PATHS:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.is_file():
            shutil.copy2(path, source / name)
    return source


def timed(log: list[str], what: str, args: list[str | Path],
          timeout: float) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    result = run(args, timeout=timeout)
    log.append(f"$ {' '.join(str(a) for a in args)}    # {what}: "
               f"exit {result.returncode} after {time.monotonic() - started:.1f} s")
    log.append(result.stdout + result.stderr)
    return result


@pytest.fixture(scope="module")
def installed() -> Iterator[InstalledTree]:
    if os.geteuid() != 0:
        pytest.skip("needs root (debootstrap, chroot, mount): run `make test-provisioning` as root")
    for tool in ("debootstrap", "chroot", "systemd-analyze"):
        assert shutil.which(tool), f"{tool} is a system package of `make test`"
    log: list[str] = []
    started = time.monotonic()
    tarball = base_tarball(log)
    log.append(f"base tree ready after {time.monotonic() - started:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="pexip-kiosk-chroot-test-", dir="/var/tmp"))
    tree = unpack(tarball, work)
    # pip's download cache survives between runs (PyPI wheels of Kivy, aiortc, PyAV...).
    caches = {"/root/.cache/pip": CACHE_DIR / "pip"}
    for host in caches.values():
        host.mkdir(parents=True, exist_ok=True)
    try:
        # A minimal tree may lack the device groups udev normally brings: take two away.
        for group in ("render", "input"):
            assert chroot(tree, "groupdel", group).returncode == 0
        source = snapshot_package(work)
        command: list[str | Path] = [INSTALL_SH, "--root", tree, "--echo-cancel", "--from", source]
        with mounted(tree, binds=caches):
            first = timed(log, "first install", command, timeout=1200)
            assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
            second = timed(log, "second install (idempotent)", command, timeout=600)
        log.append(f"base tree and both installs: {time.monotonic() - started:.1f} s")
        yield InstalledTree(tree, first, second, log)
    finally:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        TRANSCRIPT.write_text("\n".join(log) + "\n")
        remove_tree(work)


def test_install_reports_each_step_then_changes_nothing_the_second_time(
    installed: InstalledTree,
) -> None:
    first = installed.first.stdout
    for line in (
        "change: apt-get install python3-venv",
        "change: create missing system group 'render'",
        "change: create missing system group 'input'",
        "change: create system user 'kiosk' (home /var/lib/pexip-kiosk, groups "
        "video,render,input,audio)",
        "change: create virtual environment /opt/pexip-kiosk/venv",
        f"installed: kiosk {__version__}",
        "change: write /etc/pexip-kiosk/kiosk.env from .env.example",
        "change: enable pexip-kiosk.service",
        "change: disable getty@tty1",
        "change: let 'kiosk' linger (its PipeWire starts at boot)",
        "Left to fill in, in /etc/pexip-kiosk/kiosk.env:",
        "  - PEXIP_NODE: the https address of your Conferencing Node",
    ):
        assert line in first, line
    second = installed.second
    assert second.returncode == 0, second.stderr
    assert "change:" not in second.stdout
    assert "Done: nothing to change; the kiosk was already installed as asked." in second.stdout
    assert f"ok: kiosk {__version__} already installed from" in second.stdout


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))[2:]


def owner(tree: Path, path: str) -> str:
    return chroot(tree, "stat", "-c", "%U:%G", path).stdout.strip()


def test_files_modes_and_owners(installed: InstalledTree) -> None:
    tree = installed.root
    env_file = tree / "etc/pexip-kiosk/kiosk.env"
    assert mode(env_file) == "640" and owner(tree, "/etc/pexip-kiosk/kiosk.env") == "root:kiosk"
    assert mode(tree / "etc/pexip-kiosk") == "750"
    assert owner(tree, "/etc/pexip-kiosk") == "root:kiosk"
    assert mode(tree / "var/lib/pexip-kiosk") == "750"
    assert owner(tree, "/var/lib/pexip-kiosk") == "kiosk:kiosk"
    example = (REPO / ".env.example").read_text()
    expected = example.replace("KIOSK_MICROPHONE=default", "KIOSK_MICROPHONE=kiosk_ec_mic")
    expected = expected.replace("KIOSK_SPEAKER=default", "KIOSK_SPEAKER=kiosk_ec_speaker")
    assert env_file.read_text() == expected
    for name in ("pexip-kiosk.service", "pexip-kiosk-noblank.service"):
        installed_unit = tree / "etc/systemd/system" / name
        assert installed_unit.read_text() == (PROVISIONING / name).read_text()
        assert mode(installed_unit) == "644"
    rule = tree / "etc/udev/rules.d/70-pexip-kiosk-backlight.rules"
    assert rule.read_text() == (PROVISIONING / "udev/70-pexip-kiosk-backlight.rules").read_text()
    assert (tree / "etc/pipewire/pipewire.conf.d/60-pexip-kiosk-echo-cancel.conf").is_file()
    assert (tree / "etc/alsa/conf.d/60-pexip-kiosk-echo-cancel.conf").is_file()
    assert (tree / "var/lib/systemd/linger/kiosk").is_file()
    # Nothing of the install is left behind.
    assert not list((tree / "var/tmp").glob("pexip-kiosk-*"))
    assert not (tree / "usr/sbin/policy-rc.d").exists()


def test_service_user_and_groups(installed: InstalledTree) -> None:
    tree = installed.root
    entry = chroot(tree, "getent", "passwd", "kiosk").stdout.strip().split(":")
    assert entry[0] == "kiosk" and int(entry[2]) < 1000  # a system user
    assert entry[5:] == ["/var/lib/pexip-kiosk", "/usr/sbin/nologin"]
    groups = set(chroot(tree, "id", "-nG", "kiosk").stdout.split())
    assert {"kiosk", "video", "render", "input", "audio"} <= groups
    uid = entry[2]
    dropin = tree / "etc/systemd/system/pexip-kiosk.service.d/50-pipewire.conf"
    assert f"XDG_RUNTIME_DIR=/run/user/{uid}" in dropin.read_text()
    assert "@KIOSK_UID@" not in dropin.read_text()


def test_units_are_enabled_by_symlink_and_verify_inside_the_tree(
    installed: InstalledTree,
) -> None:
    tree = installed.root
    wants = tree / "etc/systemd/system/multi-user.target.wants"
    for name in ("pexip-kiosk.service", "pexip-kiosk-noblank.service"):
        assert os.readlink(wants / name) == f"/etc/systemd/system/{name}"
    assert not (tree / "etc/systemd/system/getty.target.wants/getty@tty1.service").exists()
    # The cage variant is checked in the same tree, next to the installed units.
    cage = tree / "etc/systemd/system/pexip-kiosk-cage.service"
    shutil.copy(PROVISIONING / "pexip-kiosk-cage.service", cage)
    try:
        for name in ("pexip-kiosk.service", "pexip-kiosk-noblank.service",
                     "pexip-kiosk-cage.service"):
            result = run(["systemd-analyze", "verify", f"--root={tree}",
                          f"/etc/systemd/system/{name}"])
            assert result.returncode == 0 and result.stdout + result.stderr == "", (
                name, result.stdout, result.stderr)
    finally:
        cage.unlink()
    security = run(["systemd-analyze", "security", "--offline=true", f"--root={tree}",
                    "--threshold=50", "--no-pager", "/etc/systemd/system/pexip-kiosk.service"])
    assert security.returncode == 0, security.stdout[-1500:]
    installed.log.append(security.stdout.strip().splitlines()[-1])


def test_the_venv_runs_in_the_chroot(installed: InstalledTree) -> None:
    version = chroot(installed.root, "/opt/pexip-kiosk/venv/bin/pexip-kiosk", "--version",
                     user="kiosk")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"pexip-kiosk {__version__}"
    installed.log.append(f"$ chroot TREE setpriv --reuid=kiosk ... pexip-kiosk --version\n"
                         f"{version.stdout.strip()}")


def test_the_installed_app_has_its_assets(installed: InstalledTree) -> None:
    """Fonts, icons and sounds must be installed with the package, not only in a checkout."""
    probe = ("from kiosk.asset_files import ASSETS_DIR; "
             "print(ASSETS_DIR, ASSETS_DIR.is_dir() and any(ASSETS_DIR.iterdir()))")
    result = chroot(installed.root, "/opt/pexip-kiosk/venv/bin/python", "-c", probe,
                    user="kiosk")
    assert result.returncode == 0, result.stderr
    assets_dir, present = result.stdout.split()
    assert present == "True", f"the installed kiosk has no assets at {assets_dir}"


def test_a_broken_kiosk_env_is_one_line_and_exit_2_as_the_service_runs_it(
    installed: InstalledTree,
) -> None:
    tree = installed.root
    bad = tree / "etc/pexip-kiosk/broken.env"
    bad.write_text((tree / "etc/pexip-kiosk/kiosk.env").read_text()
                   .replace("PEXIP_NODE=https://pexip.example.com", "PEXIP_NODE=htp:/x"))
    os.chmod(bad, 0o640)
    shutil.chown(bad, group=int(chroot(tree, "id", "-g", "kiosk").stdout))
    try:
        result = chroot(tree, "/opt/pexip-kiosk/venv/bin/pexip-kiosk", "run", "--env-file",
                        "/etc/pexip-kiosk/broken.env", user="kiosk")
    finally:
        bad.unlink()
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["pexip-kiosk: PEXIP_NODE: 'htp:/x' is not an https URL"]
    installed.log.append(f"$ chroot TREE setpriv --reuid=kiosk ... pexip-kiosk run --env-file "
                         f"broken.env\n{result.stderr.strip()}\nexit {result.returncode}")


def test_portaudio_sees_the_echo_cancelled_devices(installed: InstalledTree) -> None:
    """PipeWire with the kiosk's drop-in, then the kiosk's own sounddevice lists the names."""
    tree = installed.root
    runtime = tree / "tmp/pw-runtime"
    runtime.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": "/tmp/pw-runtime"}
    # Info level, so that the log shows which echo canceller was loaded.
    pipewire_env = {**env, "PATH": "/usr/bin:/bin", "PIPEWIRE_DEBUG": "3"}
    query = ("import sounddevice as sd; "
             "print(sd.query_devices('kiosk_ec_mic')['name'], "
             "sd.query_devices('kiosk_ec_speaker')['name'])")
    with mounted(tree):
        pipewire = subprocess.Popen(
            ["chroot", str(tree), "env", "-i",
             *(f"{k}={v}" for k, v in pipewire_env.items()), "pipewire"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            deadline = time.monotonic() + 10
            while not (runtime / "pipewire-0").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            result = chroot(tree, "/opt/pexip-kiosk/venv/bin/python", "-c", query, env=env)
        finally:
            pipewire.send_signal(signal.SIGTERM)
            try:
                pw_log = pipewire.communicate(timeout=10)[0]
            except subprocess.TimeoutExpired:
                pipewire.kill()
                pw_log = pipewire.communicate()[0]
    assert "Using plugin AEC webrtc" in pw_log, pw_log[-3000:]
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["kiosk_ec_mic", "kiosk_ec_speaker"]


def test_cloud_init_example_is_valid_for_the_trees_cloud_init(installed: InstalledTree) -> None:
    tree = installed.root
    shutil.copy(PROVISIONING / "cloud-init/user-data.example", tree / "tmp/user-data")
    result = chroot(tree, "cloud-init", "schema", "--config-file", "/tmp/user-data")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid cloud-config" in result.stdout
    # It ends in a running kiosk: install.sh from the clone, then the unit is started.
    user_data = (PROVISIONING / "cloud-init/user-data.example").read_text()
    assert re.search(r"- \[/opt/pexip-kiosk-src/provisioning/install\.sh\]", user_data)
    assert "- [systemctl, start, pexip-kiosk.service]" in user_data


def test_cage_option_adds_its_package_and_pam_file(installed: InstalledTree) -> None:
    result = run([INSTALL_SH, "--root", installed.root, "--dry-run", "--cage"], timeout=120)
    assert result.returncode == 0, result.stderr
    assert "would: apt-get install cage" in result.stdout
    assert "would: install /etc/systemd/system/pexip-kiosk.service" in result.stdout
    assert "would: install /etc/pam.d/pexip-kiosk-cage" in result.stdout
