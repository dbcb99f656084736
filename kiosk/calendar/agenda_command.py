"""`pexip-kiosk agenda`: what the room will see on a day, for installers.

Reads the configured calendar (or `--url` / `--file`) with the same code as the
home screen and prints one JSON line per meeting of the day, then a summary:

    {"event": "meeting", "start": ISO, "end": ISO, "subject": ..., "private": bool,
     "joinable": bool, "alias": ... or null, "extension": ... or null, "has_pin": bool,
     "rule": "pexip-webapp-link" | "teams-cvi" | ..., "reason": ... (when not joinable)}
    {"event": "summary", "date": ..., "source": ..., "meetings": n, "joinable": n, ...}

A private meeting's subject is shown as the room shows it ("Private meeting"), and
a PIN never: only whether there is one. Nothing is saved and no node is contacted.
Exit codes: 0 read; 2 configuration or usage error; 5 the calendar cannot be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kiosk.config import DEFAULT_ENV_FILE, ConfigError, load_settings, validate_calendar_url

if TYPE_CHECKING:  # the parsing libraries load only when the command runs (`--help` is quick)
    from kiosk.calendar.calendar_meeting import CalendarMeeting
    from kiosk.calendar.day_agenda import DayAgenda
    from kiosk.calendar.feed_source import CalendarSource

PROG = "pexip-kiosk agenda"
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREADABLE = 5


class UsageError(Exception):
    """A bad option or setting; `str()` is the line to print."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `pexip-kiosk agenda`."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="an https:// or webcal:// iCalendar feed "
                                     "(default: KIOSK_CALENDAR_URL or KIOSK_CALDAV_URL)")
    where.add_argument("--file", type=Path, metavar="FILE.ics", help="an iCalendar file")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day to show (default today)")
    parser.add_argument("--rules", type=Path, metavar="FILE",
                        help="custom meeting rules, TOML (default: KIOSK_MEETING_RULES)")
    parser.add_argument("--env-file", type=Path, default=DEFAULT_ENV_FILE,
                        help="settings file (default .env; the environment wins)")


def meeting_line(meeting: CalendarMeeting) -> dict[str, Any]:
    """The JSON object of one meeting (no PIN, only `has_pin`)."""
    target = meeting.address.target
    line: dict[str, Any] = {
        "event": "meeting",
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "subject": meeting.shown_subject,
        "private": meeting.private,
        "joinable": target is not None,
        "alias": target.alias if target is not None else None,
        "extension": target.extension if target is not None else None,
        "has_pin": target.has_pin if target is not None else False,
        "rule": meeting.address.rule,
    }
    if target is None:
        line["reason"] = meeting.address.reason
    return line


def summary_line(agenda: DayAgenda, source: str) -> dict[str, Any]:
    """The closing JSON object: the day, the source and the counts."""
    return {"event": "summary", "date": agenda.day.isoformat(), "source": source,
            "meetings": len(agenda.meetings),
            "joinable": sum(1 for m in agenda.meetings if m.joinable),
            "all_day": agenda.all_day, "cancelled": agenda.cancelled,
            "declined": agenda.declined, "unreadable": agenda.unreadable}


def _day(text: str | None, zone: dt.tzinfo) -> dt.date:
    if text is None:
        return dt.datetime.now(zone).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date: {text!r} is not a date like 2025-06-11") from None


def _plan(args: argparse.Namespace, zone: dt.tzinfo) -> tuple[CalendarSource, Any, dt.date]:
    from kiosk.calendar.feed_source import FileSource, IcsFeedSource
    from kiosk.calendar.meeting_rules import MeetingRulesError, load_meeting_rules
    from kiosk.calendar.room_calendar import agenda_rules, configured_source

    try:
        settings = load_settings(args.env_file, require_node=False)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    day = _day(args.date, zone)
    rules = None
    if args.rules is not None:
        try:
            rules = load_meeting_rules(args.rules)
        except MeetingRulesError as exc:
            raise UsageError(str(exc)) from None
    source: CalendarSource | None
    if args.file is not None:
        source = FileSource(args.file)
    elif args.url is not None:
        try:
            url = validate_calendar_url(args.url, "--url")
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        source = IcsFeedSource(url, verify=settings.calendar.tls_verify)
    else:
        noon = dt.datetime.combine(day, dt.time(12), zone)
        source = configured_source(settings, now=lambda: noon)
        if source is None:
            raise UsageError("no calendar configured (KIOSK_CALENDAR_URL or KIOSK_CALDAV_URL); "
                             "or give --url or --file")
    return source, agenda_rules(settings, rules), day


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the day's agenda; return the exit code."""
    from kiosk.calendar.day_agenda import parse_day
    from kiosk.calendar.feed_errors import CalendarError
    from kiosk.calendar.feed_source import Validators
    from kiosk.calendar.local_zone import local_zone

    out = out or sys.stdout
    err = err or sys.stderr
    zone = local_zone()
    try:
        source, rules, day = _plan(args, zone)
    except UsageError as exc:
        err.write(f"{PROG}: {exc}\n")
        return EXIT_USAGE
    try:
        reply = source.fetch(Validators())
        agenda = parse_day(reply.body, day, zone, rules)
    except CalendarError as exc:
        err.write(f"{PROG}: {source.description}: {exc}\n")
        return EXIT_UNREADABLE
    for meeting in agenda.meetings:
        out.write(json.dumps(meeting_line(meeting), ensure_ascii=False) + "\n")
    out.write(json.dumps(summary_line(agenda, source.description), ensure_ascii=False) + "\n")
    out.flush()
    return EXIT_OK
