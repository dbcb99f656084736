"""Dims and restores the display backlight through /sys/class/backlight, where there is one.

`settings.backlight`: "auto" (the first device under /sys/class/backlight),
a device directory path, or "none". Without a usable device the idle screen
alone darkens the display.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

SYSFS_BACKLIGHT = Path("/sys/class/backlight")
DIM_FRACTION = 0.1


class Backlight:
    """One backlight device: `dim()` to a tenth of its maximum, `restore()` to what it was."""

    def __init__(self, device: Path | None) -> None:
        self._device = device
        self._saved: int | None = None

    @classmethod
    def from_setting(cls, setting: str, sysfs: Path = SYSFS_BACKLIGHT) -> Backlight:
        """Pick the device named by a KIOSK_BACKLIGHT value."""
        value = setting.strip()
        if value.lower() == "none" or not value:
            return cls(None)
        if value.lower() == "auto":
            candidates = sorted(p for p in sysfs.glob("*") if (p / "brightness").exists())
            return cls(candidates[0] if candidates else None)
        path = Path(value)
        return cls(path if (path / "brightness").exists() else None)

    @property
    def available(self) -> bool:
        """True when there is a device whose brightness can be set."""
        return self._device is not None

    def dim(self) -> bool:
        """Lower the brightness; True when the hardware was dimmed."""
        if self._device is None:
            return False
        try:
            current = int((self._device / "brightness").read_text().strip())
            maximum = int((self._device / "max_brightness").read_text().strip())
            if self._saved is None:
                self._saved = current
            (self._device / "brightness").write_text(str(max(1, int(maximum * DIM_FRACTION))))
        except (OSError, ValueError) as exc:
            log.warning("Cannot dim the backlight at %s: %s", self._device, exc)
            return False
        return True

    def restore(self) -> None:
        """Put back the brightness saved by `dim()`."""
        if self._device is None or self._saved is None:
            return
        try:
            (self._device / "brightness").write_text(str(self._saved))
        except OSError as exc:
            log.warning("Cannot restore the backlight at %s: %s", self._device, exc)
        self._saved = None
