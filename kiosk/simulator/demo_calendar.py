"""The demo room's calendar: `GET /_sim/calendar.ics`, a feed made relative to the time the
simulator started, so a newcomer sees a living agenda with no calendar server.

Relative to the start (rounded down to the minute), all in UTC:

- a check-in that ended an hour ago (it must not be shown),
- "Weekly planning", running now, in the open room (a Pexip web app link),
- "Board meeting" in 4 minutes, in the PIN room (the link has no PIN: the PIN screen asks),
- "Customer call (Teams)" in 1 hour: a Teams invitation whose video-device block reaches
  the open room through the Virtual Reception (the demo sets
  KIOSK_TEAMS_GATEWAY_ALIAS=reception; the VTC ID is the open room's number, 1001),
- "Zoom: partner demo" in 2 hours: a Zoom invitation, not joinable in the demo (no gateway),
- a private meeting in 3 hours (CLASS:PRIVATE) in the team room,
- "Daily stand-up" in 4 hours: a daily series that began yesterday, one day excluded.

It answers ETag / If-None-Match with 304 like a real feed host. `POST /_sim/calendar`
`{"fail_status": 503}` makes it answer that status until `{"fail_status": null}`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from aiohttp import web

from kiosk.simulator.protocol_replies import ApiError, read_json_object, reply

CALENDAR_PATH = "/_sim/calendar.ics"
CONTROL_PATH = "/_sim/calendar"
OPEN_ROOM_EXTENSION = "1001"


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def demo_feed(origin: str, started: dt.datetime) -> str:
    """The demo calendar's text for a simulator at `origin` (https://host:port)."""
    base = started.astimezone(dt.UTC).replace(second=0, microsecond=0)

    def at(minutes: int) -> dt.datetime:
        return base + dt.timedelta(minutes=minutes)

    teams = (
        "Microsoft Teams meeting\nJoin on your computer, mobile app or room device\n"
        "Click here to join the meeting <https://teams.microsoft.com/l/meetup-join/"
        "19%3ameeting_ZGVtbw%40thread.v2/0>\nMeeting ID: 366 123 456 789\nPasscode: Dm4Q8x\n"
        "Join with a video conferencing device\nteams@teams.example.com\n"
        f"Video Conference ID: {OPEN_ROOM_EXTENSION}\n"
    )
    zoom = ("Alice Example is inviting you to a scheduled Zoom meeting.\n\nJoin Zoom Meeting\n"
            "https://us02web.zoom.us/j/81234567890\n\nMeeting ID: 812 3456 7890\n\n"
            "Join by SIP\n81234567890@zoomcrc.com\n")
    events: list[tuple[str, int, int, str, list[str]]] = [
        ("checkin", -90, 30, "Morning check-in", [f"LOCATION:{origin}/webapp/m/meet.open"]),
        ("planning", -10, 60, "Weekly planning",
         [f"LOCATION:{origin}/webapp/m/meet.open", "ORGANIZER;CN=Alice Example:"
          "mailto:alice@example.com"]),
        ("board", 4, 30, "Board meeting",
         [f"DESCRIPTION:{_escape(f'Join: {origin}/webapp/conference/meet.board')}",
          "ORGANIZER;CN=Bo Chair:mailto:chair@example.com"]),
        ("teams", 60, 30, "Customer call (Teams)",
         [f"DESCRIPTION:{_escape(teams)}",
          "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3a",
          "ORGANIZER;CN=Chloé Martin:mailto:chloe@example.com"]),
        ("zoom", 120, 45, "Zoom: partner demo",
         [f"DESCRIPTION:{_escape(zoom)}", "ORGANIZER;CN=Partner Inc:mailto:events@example.net"]),
        ("private", 180, 30, "1:1 salary review",
         [f"LOCATION:{origin}/webapp/m/meet.team", "CLASS:PRIVATE",
          "ORGANIZER;CN=Dana HR:mailto:dana@example.com"]),
    ]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Pexip room kiosk//Simulator//EN",
             "X-WR-CALNAME:Demo room"]
    for uid, start, minutes, subject, extra in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}@sim.kiosk", f"DTSTAMP:{_stamp(base)}",
                  f"DTSTART:{_stamp(at(start))}", f"DTEND:{_stamp(at(start + minutes))}",
                  f"SUMMARY:{_escape(subject)}", *extra, "END:VEVENT"]
    standup = at(240) - dt.timedelta(days=1)
    lines += ["BEGIN:VEVENT", "UID:standup@sim.kiosk", f"DTSTAMP:{_stamp(base)}",
              f"DTSTART:{_stamp(standup)}", f"DTEND:{_stamp(standup + dt.timedelta(minutes=15))}",
              "RRULE:FREQ=DAILY;COUNT=30", f"EXDATE:{_stamp(standup + dt.timedelta(days=2))}",
              "SUMMARY:Daily stand-up", "LOCATION:pexip://meet.lobby",
              "ORGANIZER;CN=Alice Example:mailto:alice@example.com", "END:VEVENT",
              "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


class DemoCalendar:
    """Serves the demo calendar (and lets tests make it fail)."""

    def __init__(self, started: dt.datetime | None = None) -> None:
        self._started = started or dt.datetime.now(dt.UTC)
        self._fail_status: int | None = None

    def add_routes(self, app: web.Application) -> None:
        """Register `GET /_sim/calendar.ics` and `POST /_sim/calendar`."""
        app.add_routes([web.get(CALENDAR_PATH, self.feed), web.post(CONTROL_PATH, self.control)])

    async def feed(self, request: web.Request) -> web.Response:
        """The feed, 304 when the client already has it, or the failure armed."""
        if self._fail_status is not None:
            return web.Response(status=self._fail_status, text="Calendar unavailable")
        origin = f"{request.scheme}://{request.host}"
        body = demo_feed(origin, self._started).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="text/calendar", charset="utf-8",
                            headers={"ETag": etag})

    async def control(self, request: web.Request) -> web.Response:
        """`{"fail_status": 500..599 | 400..499 | null}`: fail the feed, or stop failing."""
        body: dict[str, Any] = await read_json_object(request)
        status = body.get("fail_status")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)
                                   or not 400 <= status <= 599):
            raise ApiError(400, "fail_status must be an HTTP error status or null")
        self._fail_status = status
        return reply({"fail_status": status})
