"""Where the kiosk's fonts, icons and demo rooms live.

The repository keeps them in `assets/` at its root, so a newcomer finds them
by name; `kiosk/assets` is a link to it, which makes the build copy them into
the installed package (a device's venv has no checkout to look in).
"""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent / "assets"


def asset(*parts: str) -> Path:
    """The path of a file under `assets/`."""
    return ASSETS_DIR.joinpath(*parts)
