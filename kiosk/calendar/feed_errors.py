"""Why a calendar could not be used: one human sentence each, never the feed's address."""

from __future__ import annotations


class CalendarError(Exception):
    """The calendar could not be read or used; `str()` is one line for the log and the
    admin screen."""


class NotICalendar(CalendarError):
    """The server answered with something that is not an iCalendar feed."""


class FeedTooLarge(CalendarError):
    """The feed is larger than the kiosk reads, or holds too many events."""


class UnreadableFeed(CalendarError):
    """The feed is iCalendar, but broken (no event could be read)."""


class CalendarUnreachable(CalendarError):
    """The calendar server could not be reached, or refused the request."""
