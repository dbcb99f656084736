"""A first, coarse cut of an iCalendar feed to the days that matter, before parsing.

A room mailbox's feed can hold thousands of past and future events, and parsing
all of them costs seconds on a small device. Only events that recur, or whose
DTSTART/DTEND fall within a few days of the wanted days, can be on the agenda,
so the others are dropped from the text first (a line scan, no interpretation:
every event this cut keeps is parsed by `icalendar`, and every event it cannot
judge is kept). The margin of two days covers any time zone.

`check_and_cut` also rejects what is not an iCalendar feed at all (an HTML login
page, a JSON error, random bytes) and feeds with too many events.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kiosk.calendar.feed_errors import FeedTooLarge, NotICalendar

MAX_EVENTS = 8000
MARGIN = dt.timedelta(days=2)
# An event with DTSTART but neither DTEND nor a readable end may last this long (DURATION).
LONGEST_UNDATED = dt.timedelta(days=7)

FOLD = re.compile(r"\r\n[ \t]|\n[ \t]|\r[ \t]")
LINE_END = re.compile(r"\r\n|\r|\n")
EVENT_BLOCK = re.compile(r"^BEGIN:VEVENT$.*?^END:VEVENT$\n?", re.MULTILINE | re.DOTALL
                         | re.IGNORECASE)
RECURRING = re.compile(r"^(?:RRULE|RDATE|RECURRENCE-ID)[;:]", re.MULTILINE | re.IGNORECASE)
START_DATE = re.compile(r"^DTSTART[^:\n]*:(\d{4})(\d{2})(\d{2})", re.MULTILINE | re.IGNORECASE)
END_DATE = re.compile(r"^DTEND[^:\n]*:(\d{4})(\d{2})(\d{2})", re.MULTILINE | re.IGNORECASE)
HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)", re.IGNORECASE)


@dataclass(frozen=True)
class FeedCut:
    """The feed's text (unfolded, `\\n` line ends) keeping only the events that may matter."""

    text: str
    events_in_feed: int
    events_kept: int


def decode_feed(body: bytes) -> str:
    """The feed's text: UTF-8 (a BOM is dropped); other bytes are replaced, never fatal."""
    return body.decode("utf-8-sig", errors="replace")


def check_is_icalendar(text: str) -> None:
    """Raise NotICalendar (with a sentence saying what it looks like) unless `text` starts
    like an iCalendar feed."""
    head = text.lstrip()[:64].upper()
    if head.startswith("BEGIN:VCALENDAR"):
        return
    if HTML_START.match(text):
        raise NotICalendar("the calendar address returned a web page (a login page?), "
                           "not an iCalendar feed")
    if not text.strip():
        raise NotICalendar("the calendar server returned an empty reply")
    raise NotICalendar("the calendar server's reply is not an iCalendar feed")


def _date(found: re.Match[str] | None) -> dt.date | None:
    if found is None:
        return None
    try:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _may_matter(block: str, first: dt.date, last: dt.date) -> bool:
    if RECURRING.search(block):
        return True
    start = _date(START_DATE.search(block))
    if start is None:
        return True  # let the parser judge (and report) it
    if start > last + MARGIN:
        return False
    end = _date(END_DATE.search(block))
    if end is None:
        return start >= first - MARGIN - LONGEST_UNDATED
    return end >= first - MARGIN


def check_and_cut(body: bytes, first: dt.date, last: dt.date) -> FeedCut:
    """Check `body` is an iCalendar feed of at most MAX_EVENTS events and keep only the
    events that may fall between `first` and `last` (dates, inclusive)."""
    text = decode_feed(body)
    check_is_icalendar(text)
    text = LINE_END.sub("\n", FOLD.sub("", text))
    counts = [0, 0]

    def keep_or_drop(block: re.Match[str]) -> str:
        counts[0] += 1
        if counts[0] > MAX_EVENTS:
            raise FeedTooLarge(f"the calendar has more than {MAX_EVENTS} events")
        if _may_matter(block.group(0), first, last):
            counts[1] += 1
            return block.group(0)
        return ""

    cut = EVENT_BLOCK.sub(keep_or_drop, text)
    return FeedCut(text=cut, events_in_feed=counts[0], events_kept=counts[1])
