"""The speaker volume kept across calls and restarts: `volume.json` in KIOSK_STATE_DIR.

Written atomically (a temporary file renamed over the old one), so a power cut
never leaves half a file; a file that cannot be read or written is reported once
in the log and the room goes on with the volume it has.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "volume.json"


class VolumeStore:
    """Reads and writes the remembered volume (0–100) in `state_dir`."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / FILE_NAME
        self._warned = False

    def load(self) -> int | None:
        """The remembered volume, or None when there is none (or it is unreadable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("The remembered volume in %s cannot be read (%s); using the default",
                        self.path, type(exc).__name__)
            return None
        level = data.get("volume") if isinstance(data, dict) else None
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 100:
            log.warning("The remembered volume in %s is not 0 to 100; using the default",
                        self.path)
            return None
        return level

    def save(self, level: int) -> bool:
        """Remember `level`; False (logged once) when it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".volume-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump({"volume": int(level)}, out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if not self._warned:
                log.warning("The volume cannot be remembered in %s (%s)", self.path.parent,
                            exc.strerror or type(exc).__name__)
                self._warned = True
            return False
        return True
