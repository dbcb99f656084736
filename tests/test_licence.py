"""The kiosk is Apache-2.0, and every bundled font and icon set keeps its own licence."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = (".otf", ".ttf", ".woff", ".woff2", ".png", ".svg")


def test_the_project_is_apache_2() -> None:
    assert "Apache License" in (ROOT / "LICENSE").read_text()
    assert "Version 2.0, January 2004" in (ROOT / "LICENSE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), name


def test_notice_lists_every_bundled_font_and_icon_with_its_licence() -> None:
    notice = (ROOT / "NOTICE").read_text()
    bundled = [p for p in (ROOT / "assets").rglob("*") if p.suffix.lower() in BUNDLED]
    assert bundled, "the scan finds the bundled fonts"
    for path in bundled:
        assert path.name in notice, f"{path.name} is not in NOTICE"
        licences = [p for p in path.parent.iterdir() if p.name.upper().startswith("LICENSE")]
        assert licences, f"no licence file beside {path}"
        assert any(str(p.relative_to(ROOT)) in notice for p in licences), path
