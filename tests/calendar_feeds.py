"""Test helper: small iCalendar feeds written the way servers write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Booking:
    """One VEVENT: UTC times, a subject, and extra property lines."""

    uid: str
    start: dt.datetime
    minutes: int = 30
    subject: str = "Meeting"
    lines: tuple[str, ...] = ()


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def feed(bookings: Iterable[Booking], extra: Iterable[str] = ()) -> bytes:
    """A VCALENDAR holding `bookings` (CRLF line ends, as RFC 5545 says)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kiosk tests//EN", *extra]
    for booking in bookings:
        lines += ["BEGIN:VEVENT", f"UID:{booking.uid}", "DTSTAMP:20250101T000000Z",
                  f"DTSTART:{stamp(booking.start)}",
                  f"DTEND:{stamp(booking.start + dt.timedelta(minutes=booking.minutes))}",
                  f"SUMMARY:{booking.subject}", *booking.lines, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
