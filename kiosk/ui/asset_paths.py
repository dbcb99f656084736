"""Where the kiosk's fonts, icons and sounds live (the repository's `assets/`)."""

from __future__ import annotations

from pathlib import Path

import kiosk

ASSETS_DIR = Path(kiosk.__file__).resolve().parent.parent / "assets"


def asset(*parts: str) -> Path:
    """The path of a file under `assets/`."""
    return ASSETS_DIR.joinpath(*parts)
