"""The last good calendar on disk, so that a room restarted while the calendar server is
down still shows and joins today's meetings.

Two files under `<state dir>/calendar/`: `last-good.ics` (the feed's bytes) and
`last-good.json` (when it was last confirmed, the server's validators, and a
fingerprint of the source, so a copy from another calendar is never shown).
Each is written to a temporary file and renamed over the old one: a power cut
leaves the old copy or the new one, never half of either. The directory and
files are readable by the kiosk's user only (an invitation may carry a PIN).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.calendar.feed_source import MAX_FEED_BYTES, Validators

log = logging.getLogger(__name__)

CACHE_DIR = "calendar"
BODY_FILE = "last-good.ics"
META_FILE = "last-good.json"
FORMAT = 1


@dataclass(frozen=True)
class CachedFeed:
    """A calendar that was read and understood, and when it was last confirmed current."""

    source: str  # the source's fingerprint
    body: bytes = field(repr=False)
    updated: dt.datetime
    validators: Validators = Validators()


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class CalendarCache:
    """Reads and writes the last good copy under `state_dir`. Never raises: a cache that
    cannot be written is logged (once per kind of failure) and the room goes on."""

    def __init__(self, state_dir: Path) -> None:
        self._dir = state_dir / CACHE_DIR
        self._last_problem = ""

    @property
    def directory(self) -> Path:
        """Where the copy is kept."""
        return self._dir

    def load(self, source: str) -> CachedFeed | None:
        """The copy kept for `source`, or None (none, another source's, or unreadable)."""
        try:
            meta = json.loads((self._dir / META_FILE).read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                return None
            if meta.get("source") != source:
                return None
            updated = dt.datetime.fromisoformat(str(meta["updated"]))
            if updated.tzinfo is None:
                return None
            with (self._dir / BODY_FILE).open("rb") as handle:
                body = handle.read(MAX_FEED_BYTES + 1)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("The saved calendar in %s cannot be read (%s); it is ignored",
                        self._dir, type(exc).__name__)
            return None
        if len(body) > MAX_FEED_BYTES:
            return None
        validators = Validators(etag=str(meta.get("etag", "")),
                                last_modified=str(meta.get("last_modified", "")))
        return CachedFeed(source=source, body=body, updated=updated, validators=validators)

    def store(self, feed: CachedFeed, body_changed: bool = True) -> None:
        """Keep `feed` as the last good copy (only its time and validators when the body
        is the one already kept)."""
        meta = {"format": FORMAT, "source": feed.source, "updated": feed.updated.isoformat(),
                "etag": feed.validators.etag, "last_modified": feed.validators.last_modified}
        try:
            self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if body_changed:
                _write_atomically(self._dir / BODY_FILE, feed.body)
            _write_atomically(self._dir / META_FILE, json.dumps(meta).encode("utf-8"))
        except OSError as exc:
            problem = exc.strerror or type(exc).__name__
            if problem != self._last_problem:
                log.warning("The calendar cannot be saved in %s (%s): after a restart the room "
                            "needs the calendar server", self._dir, problem)
                self._last_problem = problem
            return
        self._last_problem = ""
