"""Paths and small helpers shared by the provisioning tests."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROVISIONING = REPO / "provisioning"
ANSIBLE_DIR = PROVISIONING / "ansible"
INSTALL_SH = PROVISIONING / "install.sh"
UNIT_FILES = sorted(PROVISIONING.glob("*.service"))
# ansible-playbook, ansible-lint, ansible-vault live next to the test interpreter (.venv/bin).
VENV_BIN = Path(sys.executable).parent


def parse_unit(path: Path) -> list[tuple[str, str, str]]:
    """A systemd unit file as (section, key, value) triples, repeats kept, in order."""
    entries: list[tuple[str, str, str]] = []
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=value: {raw!r}"
        entries.append((section, key.strip(), value.strip()))
    return entries


def unit_values(path: Path, section: str, key: str) -> list[str]:
    """Every value of `key` in `section` (systemd allows repeats)."""
    return [v for s, k, v in parse_unit(path) if s == section and k == key]


def run(
    args: list[str | Path], timeout: float = 120, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run a command, capture its text output; never raises on a non-zero exit."""
    env = kwargs.pop("env", None) or {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=env,
        check=False, **kwargs,  # type: ignore[arg-type]
    )


# What install.sh reads of a checkout: itself and its files, the settings example, and
# the package files it fingerprints (install_app hashes them even in a dry run).
CHECKOUT_PARTS = ("provisioning", ".env.example", "pyproject.toml", "README.md", "kiosk", "assets")
NOT_COPIED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def traversable_by_anyone(path: Path) -> bool:
    """True when every directory from / down to `path` lets any user through (o+x)."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


def readable_checkout_copy() -> Path:
    """A copy of what install.sh needs, in a new temporary directory any user can read.

    The checkout itself may be anywhere, e.g. under /root (mode 0700), where another
    user cannot even reach the script. The caller removes the copy (shutil.rmtree).
    """
    base = Path(tempfile.gettempdir())
    if not traversable_by_anyone(base):
        base = Path("/tmp")  # a TMPDIR private to this user: /tmp is for everyone
    copy = Path(tempfile.mkdtemp(prefix="pexip-kiosk-checkout-", dir=base))
    for part in CHECKOUT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=NOT_COPIED, symlinks=True)
        elif source.exists():
            shutil.copy2(source, copy / part)
    for path in (copy, *copy.rglob("*")):
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode):
            executable = stat.S_ISDIR(mode) or mode & stat.S_IXUSR
            path.chmod((mode & 0o7700) | 0o044 | (0o011 if executable else 0))
    return copy


def as_unprivileged_user() -> list[str]:
    """The command prefix that runs a command as an unprivileged user: `nobody` through
    setpriv when this runs as root, nothing when it already runs unprivileged."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
