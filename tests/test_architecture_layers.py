"""The layers of docs/architecture: the UI never does HTTP, nothing below the UI imports Kivy.

Checked on the source (every import, also the lazy ones inside functions) and, for the
session, at run time in a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kiosk"

# What talks HTTP: the UI reaches it only through the session and the calendar service.
HTTP_MODULES = ("requests", "urllib3", "http.client", "aiohttp", "httpx", "niquests",
                "caldav", "kiosk.net", "kiosk.infinity.client", "kiosk.infinity.event_stream",
                "kiosk.calendar.feed_source", "kiosk.calendar.caldav_source")
# Everything below the UI: the REST client, the session, media, calendar, health ...
BELOW_THE_UI = ("infinity", "session", "media", "calendar", "net", "health", "i18n",
                "room_audio", "settings_checks", "conference.py", "session_state.py",
                "config.py", "headless_call.py", "log_redaction.py", "admin_lockout.py")


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every module `path` imports (absolute names; relative imports resolved), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _matches(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def _sources(*parts: str) -> list[Path]:
    files: list[Path] = []
    for part in parts:
        target = PACKAGE / part
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return files


def test_the_checks_see_lazy_and_relative_imports(tmp_path: Path) -> None:
    # The checks below are only as good as this reader: it must see an import hidden in
    # a function and resolve a relative one.
    module = PACKAGE / "ui" / "screens" / "_probe_for_test.py"
    module.write_text("def f():\n    import requests\n    from ..device import backlight\n",
                      encoding="utf-8")
    try:
        found = [name for _, name in imported_modules(module)]
    finally:
        module.unlink()
    assert "requests" in found
    assert "kiosk.ui.device.backlight" in found


@pytest.mark.parametrize("path", _sources("ui"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_ui_never_does_http(path: Path) -> None:
    offending = [f"line {line}: {name}" for line, name in imported_modules(path)
                 if _matches(name, HTTP_MODULES)]
    assert offending == [], f"{path.relative_to(PACKAGE)} imports HTTP code"


@pytest.mark.parametrize("path", _sources(*BELOW_THE_UI),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_below_the_ui_imports_kivy(path: Path) -> None:
    offending = [f"line {line}: {name}" for line, name in imported_modules(path)
                 if _matches(name, ("kivy", "kiosk.ui"))]
    assert offending == [], f"{path.relative_to(PACKAGE)} imports the UI"


def test_a_whole_session_loads_without_kivy() -> None:
    # The headless `call` command, the session and the REST client in a fresh interpreter.
    probe = ("import sys, kiosk.headless_call, kiosk.conference, kiosk.infinity.client, "
             "kiosk.calendar; print(sorted(m for m in sys.modules if m.split('.')[0] == 'kivy'))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"
