"""Which display the kiosk draws on: a window system, the KMS console, or offscreen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kiosk.ui.device.kivy_setup import on_kms_console, prepare_environment


@pytest.fixture
def terminal_stdin(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A real pseudo-terminal as standard input, like a Pi's text console."""
    leader, follower = os.openpty()
    with open(follower, encoding="utf-8", closefd=True) as tty:
        monkeypatch.setattr(sys, "stdin", tty)
        yield
    os.close(leader)


def test_a_gpu_on_a_text_console_means_kms(terminal_stdin: None, tmp_path: Path) -> None:
    assert not on_kms_console(tmp_path)  # no GPU
    (tmp_path / "card0").touch()
    assert on_kms_console(tmp_path)


def test_no_terminal_means_no_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "card0").touch()
    with open(os.devnull, encoding="utf-8") as not_a_terminal:
        monkeypatch.setattr(sys, "stdin", not_a_terminal)
        assert not on_kms_console(tmp_path)


def test_without_any_display_it_renders_offscreen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # a service or CI job: no console at all
    env: dict[str, str] = {"XDG_CACHE_HOME": str(tmp_path)}
    assert prepare_environment(env) is True
    assert env["SDL_VIDEODRIVER"] == "offscreen"


def test_a_desktop_display_is_used_as_it_is(tmp_path: Path) -> None:
    env: dict[str, str] = {"DISPLAY": ":0", "XDG_CACHE_HOME": str(tmp_path)}
    assert prepare_environment(env) is False
    assert "SDL_VIDEODRIVER" not in env
