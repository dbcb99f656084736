"""The room's own time zone, from the system (TZ, /etc/localtime), with its DST rules."""

from __future__ import annotations

import datetime as dt

from dateutil import tz


def local_zone() -> dt.tzinfo:
    """The system's zone (UTC when the system names none)."""
    return tz.gettz() or dt.UTC
