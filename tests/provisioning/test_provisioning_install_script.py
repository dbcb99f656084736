"""install.sh without installing anything: shellcheck, --dry-run, arguments."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from provisioning_support import (
    INSTALL_SH,
    PROVISIONING,
    REPO,
    as_unprivileged_user,
    readable_checkout_copy,
    run,
    traversable_by_anyone,
)

# What a real install would create on this machine; a dry run must leave it alone.
INSTALL_PATHS = [
    Path("/opt/pexip-kiosk"),
    Path("/etc/pexip-kiosk"),
    Path("/etc/systemd/system/pexip-kiosk.service"),
    Path("/etc/udev/rules.d/70-pexip-kiosk-backlight.rules"),
    Path("/var/lib/pexip-kiosk"),
]


def shell_scripts() -> list[Path]:
    """Every shell script under provisioning/ (by extension or shebang)."""
    scripts = []
    for path in sorted(PROVISIONING.rglob("*")):
        if not path.is_file():
            continue
        first = path.read_bytes()[:64]
        if path.suffix == ".sh" or (first.startswith(b"#!") and b"sh" in first.split(b"\n")[0]):
            scripts.append(path)
    return scripts


def test_shellcheck_every_script() -> None:
    scripts = shell_scripts()
    assert INSTALL_SH in scripts
    assert shutil.which("shellcheck"), "shellcheck is a system package of `make test`"
    result = run(["shellcheck", "--severity=style", *scripts])
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_sh_is_executable() -> None:
    assert os.access(INSTALL_SH, os.X_OK)


def existing(paths: list[Path]) -> dict[Path, bool]:
    return {p: p.exists() or p.is_symlink() for p in paths}


@pytest.mark.parametrize("options", [[], ["--echo-cancel", "--cage"]], ids=["plain", "options"])
def test_dry_run_lists_the_steps_and_changes_nothing(options: list[str]) -> None:
    before = existing(INSTALL_PATHS)
    result = run([INSTALL_SH, "--dry-run", *options], timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for step in ("==> Checking the system", "==> System packages", "==> Service user 'kiosk'",
                 "==> The kiosk app in /opt/pexip-kiosk/venv",
                 "==> Settings in /etc/pexip-kiosk/kiosk.env", "==> systemd units"):
        assert step in out
    assert f"would: pip install the kiosk from {REPO}" in out
    assert "would: install /etc/systemd/system/pexip-kiosk.service" in out
    assert "would: enable pexip-kiosk.service" in out
    assert "would: enable pexip-kiosk-noblank.service" in out
    assert "nothing was changed" in out
    assert "change:" not in out
    if options:
        assert "==> Echo cancellation (PipeWire)" in out
        assert "would: install /etc/pipewire/pipewire.conf.d/60-pexip-kiosk-echo-cancel.conf" in out
        assert "would: install /etc/pam.d/pexip-kiosk-cage" in out
    assert existing(INSTALL_PATHS) == before


def test_dry_run_works_as_an_unprivileged_user() -> None:
    # From a copy any user can read: the checkout may be under /root (mode 0700).
    checkout = readable_checkout_copy()
    try:
        script = checkout / "provisioning" / "install.sh"
        unprivileged = as_unprivileged_user()
        result = run([*unprivileged, script, "--dry-run"], timeout=60, cwd=checkout)
        assert result.returncode == 0, result.stderr
        assert "Dry run:" in result.stdout
        assert f"would: pip install the kiosk from {checkout}" in result.stdout
        refused = run([*unprivileged, script], timeout=60, cwd=checkout)
    finally:
        shutil.rmtree(checkout, ignore_errors=True)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "install.sh: error: run as root (--dry-run without --root works as any user)"
    )


def test_the_readable_copy_is_readable_by_anyone() -> None:
    checkout = readable_checkout_copy()
    try:
        assert traversable_by_anyone(checkout)
        for path in checkout.rglob("*"):
            assert path.stat().st_mode & stat.S_IROTH, path
        assert os.access(checkout / "provisioning" / "install.sh", os.X_OK)
    finally:
        shutil.rmtree(checkout, ignore_errors=True)


def test_usage_errors_are_one_clear_line(tmp_path: Path) -> None:
    unknown = run([INSTALL_SH, "--frobnicate"])
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines()[-1] == "install.sh: error: unknown option: --frobnicate"
    assert "Usage:" in unknown.stderr
    missing_root = run([INSTALL_SH, "--dry-run", "--root", tmp_path / "nope"])
    assert missing_root.returncode == 1
    assert "is not a directory" in missing_root.stderr
    not_debian = tmp_path / "tree"
    (not_debian / "etc").mkdir(parents=True)
    (not_debian / "etc" / "os-release").write_text('ID=fedora\nVERSION_ID="40"\n')
    refused = run([INSTALL_SH, "--dry-run", "--root", not_debian])
    assert refused.returncode == 1
    assert "made for Raspberry Pi OS / Debian 12 or 13, found 'fedora 40'" in refused.stderr
    helped = run([INSTALL_SH, "--help"])
    assert helped.returncode == 0 and "--echo-cancel" in helped.stdout
