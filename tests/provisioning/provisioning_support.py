"""Paths and small helpers shared by the provisioning tests."""

from __future__ import annotations

import os
import subprocess
import sys
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
