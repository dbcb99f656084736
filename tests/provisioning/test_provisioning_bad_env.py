"""A broken kiosk.env: `pexip-kiosk run` exits 2 with one clear line (what the journal shows).

The unit does not restart on exit code 2 (RestartPreventExitStatus=2, checked in
test_provisioning_units.py), so a bad file is one journal line and a stopped
service, not a restart storm. Here the real CLI runs as the service runs it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from provisioning_support import REPO, run

GOOD = {
    "PEXIP_NODE": "https://conference.example.com",
    "PEXIP_CONFERENCE": "meet.a101",
    "PEXIP_DISPLAY_NAME": "A101 Ocean",
    "KIOSK_ADMIN_PIN": "2580",
}


def env_file(tmp_path: Path, **changes: str | None) -> Path:
    values = {**GOOD, **changes}
    path = tmp_path / "kiosk.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items() if v is not None))
    return path


def run_kiosk(env: Path) -> tuple[int, list[str]]:
    # The service's environment: no PEXIP_/KIOSK_ variables, only the file.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
    result = run([sys.executable, "-m", "kiosk.cli", "run", "--env-file", env],
                 cwd=REPO, env=clean, timeout=60)
    return result.returncode, result.stderr.splitlines()


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"PEXIP_NODE": "htp:/x"}, "pexip-kiosk: PEXIP_NODE: 'htp:/x' is not an https URL"),
        ({"PEXIP_NODE": None},
         "pexip-kiosk: PEXIP_NODE: is not set (the https address of a Conferencing Node)"),
        ({"KIOSK_ROTATION": "45"}, "pexip-kiosk: KIOSK_ROTATION: 45 is not 0, 90, 180 or 270"),
        ({"KIOSK_ADMIN_PIN": "12ab"}, "pexip-kiosk: KIOSK_ADMIN_PIN: must be 4 to 12 digits"),
    ],
    ids=["bad-node", "no-node", "bad-rotation", "bad-admin-pin"],
)
def test_a_bad_value_is_exit_2_and_one_line(tmp_path: Path, changes: dict, line: str) -> None:
    code, stderr = run_kiosk(env_file(tmp_path, **changes))
    assert code == 2
    assert stderr == [line]


def test_a_malformed_line_is_exit_2_and_names_the_line(tmp_path: Path) -> None:
    path = env_file(tmp_path)
    path.write_text(path.read_text() + "this line has no equals sign\n")
    code, stderr = run_kiosk(path)
    assert code == 2
    assert stderr == [f"pexip-kiosk: {path}: line 5 is not KEY=value"]


def test_the_admin_pin_is_never_echoed(tmp_path: Path) -> None:
    code, stderr = run_kiosk(env_file(tmp_path, KIOSK_ADMIN_PIN="98765x"))
    assert code == 2
    assert "98765" not in "\n".join(stderr)
