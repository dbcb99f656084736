"""The clock and the date as the room's locale writes them (Babel's CLDR data).

`Tuesday 1 December` (en_GB), `Dienstag, 1. Dezember` (de), `mardi 1 décembre`
shown as `Mardi 1 décembre` (a line of its own starts with a capital);
24-hour or 12-hour as the locale says, unless `clock_24h` overrides it.
"""

from __future__ import annotations

import re
from datetime import datetime

from babel import Locale
from babel.dates import format_datetime, match_skeleton

# The locale's own weekday-day-month pattern where it has one, else its full date
# ("EEEE d. MMMM y") without the year: weekday and month written out, in the
# locale's order and punctuation.
_YEAR_AT_END = re.compile(r"[\s,]*(?:'[^']*'\s*)?y+\.?\s*$")
_YEAR_AT_START = re.compile(r"^y+[.,]?\s*")
_QUOTED = re.compile(r"'[^']*'")
_SHORT_WEEKDAY = re.compile(r"(?<![Ec])([Ec]{1,3})(?![Ec])")


def _date_pattern(locale: Locale) -> str:
    exact = locale.datetime_skeletons.get("MMMMEEEEd")  # a few locales have one (en_GB)
    if exact is not None:
        return str(exact)
    full = str(locale.date_formats["full"])
    pattern = _YEAR_AT_END.sub("", full)
    if pattern == full:
        pattern = _YEAR_AT_START.sub("", full)
    if "y" not in _QUOTED.sub("", pattern):
        return pattern
    # A year in the middle: the locale's skeleton for weekday, day and month instead.
    skeletons = locale.datetime_skeletons
    best = match_skeleton("MMMMEEEEd", skeletons) or "MMMMEd"
    return _SHORT_WEEKDAY.sub(lambda m: m.group(1)[0] * 4, str(skeletons[best]))


def _time_pattern(locale: Locale, clock_24h: bool | None) -> str:
    if clock_24h is None:
        return str(locale.time_formats["short"])
    skeleton = "Hm" if clock_24h else "hm"
    best = match_skeleton(skeleton, locale.datetime_skeletons)
    return str(locale.datetime_skeletons[best]) if best else ("HH:mm" if clock_24h else "h:mm a")


class ClockFormat:
    """Formats the Home and Idle clock and date for one locale."""

    def __init__(self, locale: str, clock_24h: bool | None = None) -> None:
        self.locale = Locale.parse(locale)
        self._date = _date_pattern(self.locale)
        self._time = _time_pattern(self.locale, clock_24h)

    @property
    def uses_24h(self) -> bool:
        """True when the clock shows 0-23 hours."""
        return "H" in self._time or "k" in self._time

    def time_text(self, moment: datetime) -> str:
        """The clock: `14:05`, `2:05 PM`."""
        return format_datetime(moment, self._time, locale=self.locale)

    def date_text(self, moment: datetime) -> str:
        """The date without a year: `Tuesday 1 December`, `Dienstag, 1. Dezember`."""
        text = format_datetime(moment, self._date, locale=self.locale)
        return text[:1].upper() + text[1:]
