"""`pexip-kiosk` itself: --version, help, usage errors and the lazily imported commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import __version__
from kiosk.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"pexip-kiosk {__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "call" in capsys.readouterr().err


def test_unknown_command_and_options_are_usage_errors() -> None:
    assert main(["dance"]) == 2
    assert main(["call", "--frobnicate"]) == 2
    assert main(["demo", "--screenshots", "shots"]) == 2  # needs --autopilot


def test_call_help_lists_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--node", "--alias", "--pin-stdin", "--guest", "--extension",
                   "--display-name", "--seconds", "--ca-bundle", "--no-media", "--camera",
                   "--microphone", "--speaker"):
        assert option in out


def test_sim_help_comes_from_the_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--help"]) == 0
    out = capsys.readouterr().out
    assert "pexip-kiosk sim" in out and "--token-expires" in out and "--no-tls" in out
    assert main(["sim", "--port", "not-a-port"]) == 2


def test_run_with_a_bad_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PEXIP_NODE", "htp:/x")
    empty = tmp_path / "empty.env"
    empty.touch()
    assert main(["run", "--env-file", str(empty)]) == 2
    assert capsys.readouterr().err == "pexip-kiosk: PEXIP_NODE: 'htp:/x' is not an https URL\n"


def test_sim_command_serves_and_stops(tmp_path: Path) -> None:
    """`pexip-kiosk sim` through the CLI prints its ready line (then is stopped)."""
    with subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "sim", "--port", "0", "--cert-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    ) as process:
        assert process.stdout is not None
        ready = process.stdout.readline()
        process.terminate()
        process.communicate(timeout=10)
    assert '"event": "ready"' in ready and "https://127.0.0.1:" in ready


def module_run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=30)


def test_python_dash_m_kiosk_runs_the_app_or_any_command(tmp_path: Path) -> None:
    version = module_run("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"pexip-kiosk {__version__}")
    call_help = module_run("call", "--help")
    assert call_help.returncode == 0 and "--pin-stdin" in call_help.stdout
    # No command (or only `run`'s options): the app, which checks its settings first.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
    env["PEXIP_NODE"] = "htp:/x"
    empty = tmp_path / "empty.env"
    empty.touch()
    app = module_run("--env-file", str(empty), env=env)
    assert app.returncode == 2
    assert app.stderr == "pexip-kiosk: PEXIP_NODE: 'htp:/x' is not an https URL\n"
