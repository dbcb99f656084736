"""What the room's calendar costs: parsing and expanding a big feed, and a refresh whose
feed did not change. Prints one JSON object:

    .venv/bin/python bench/calendar_cost.py [--events 5000] [--series 200] [--refreshes 20]

- parse_expand: a feed of `--events` events (a year around today, Teams-style
  descriptions), `--series` of them weekly recurring series, turned into today's
  agenda by the kiosk's own code (`kiosk.calendar.day_agenda.parse_day`), in a
  fresh child process: its CPU time (`time.process_time`) and its peak extra
  memory, the growth of the child's `ru_maxrss` (the kernel's high-water mark of
  resident memory) over its value just before parsing, feed bytes already loaded.
  The median of `--runs` children.
- refresh_304: `CalendarService.refresh()` against a loopback HTTPS feed server
  that answers 304 (If-None-Match), saving the confirmation to the disk cache:
  the calling thread's CPU time (`time.thread_time`; the server runs in another
  thread and is not counted), with a kept-alive connection and with a new TLS
  connection each time (a server that closed it between two refreshes). Medians.

Targets (issue 10): parse + expand <= 1 s and <= 60 MB extra peak memory; a 304
refresh <= 20 ms of CPU.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGETS = MappingProxyType({"parse_expand_cpu_seconds_max": 1.0,
                            "parse_expand_extra_peak_mb_max": 60.0,
                            "refresh_304_cpu_ms_max": 20.0})
DESCRIPTION = (
    "Agenda: status of the project, numbers, next steps.\\n\\n"
    "________________________________________________________________________________\\n"
    "Microsoft Teams meeting\\nJoin on your computer, mobile app or room device\\n"
    "Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
    "NjQ0MzA2ZTQtYzA4Ny00ZGI3LWE5ZjQtMDI4NWQ1ZTk5ODQ2%40thread.v2/0?context=%7b%22Tid%22%3a%22"
    "72f988bf%22%7d>\\nMeeting ID: 366 123 456 789\\nPasscode: Xy7Zq2\\n"
    "Join with a video conferencing device\\nteams@vc.example.com\\n"
    "Video Conference ID: 118 223 344 5\\nAlternate VTC instructions<https://vc.example.com/"
    "teams/?conf=1182233445>\\n"
    "________________________________________________________________________________"
)


def _fold(line: str) -> list[str]:
    return [line[:74]] + [" " + line[i:i + 73] for i in range(74, len(line), 73)]


def make_feed(events: int, series: int, today: dt.date) -> bytes:
    """An Outlook-like feed: `events` events spread over a year around `today`."""
    start = dt.datetime.combine(today - dt.timedelta(days=180), dt.time(7), dt.UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kiosk bench//EN", "METHOD:PUBLISH"]
    step = dt.timedelta(days=365) / events
    for number in range(events):
        when = start + step * number
        when = when.replace(hour=7 + number % 10, minute=(number % 4) * 15, second=0,
                            microsecond=0)
        if number < series:  # recurring series began before today and go on after it
            when = dt.datetime.combine(today - dt.timedelta(days=7 + number % 60),
                                       dt.time(7 + number % 10, (number % 4) * 15), dt.UTC)
        stamp = when.strftime("%Y%m%dT%H%M%SZ")
        end = (when + dt.timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ")
        lines += ["BEGIN:VEVENT", f"UID:bench-{number}@example.com", "DTSTAMP:20250101T000000Z",
                  f"DTSTART:{stamp}", f"DTEND:{end}", f"SUMMARY:Meeting number {number}",
                  "ORGANIZER;CN=Alice Example:mailto:alice@example.com",
                  *_fold(f"DESCRIPTION:{DESCRIPTION}"),
                  f"LOCATION:https://vc.example.com/webapp/m/meet.room{number % 50}"]
        if number < series:
            lines.append("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=200")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def child_parse(path: Path, day: dt.date) -> dict[str, Any]:
    """In the child: parse + expand once; CPU time and ru_maxrss growth."""
    from zoneinfo import ZoneInfo

    from kiosk.calendar.day_agenda import AgendaRules, parse_day
    from kiosk.calendar.dial_target import AddressPolicy

    body = path.read_bytes()
    rules = AgendaRules(AddressPolicy.for_node("https://pexip.example.com", ("vc.example.com",)))
    zone = ZoneInfo("Europe/Oslo")
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    agenda = parse_day(body, day, zone, rules)
    cpu = time.process_time() - started
    after_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"cpu_seconds": cpu, "extra_peak_mb": (after_kb - before_kb) / 1024,
            "meetings_today": len(agenda.meetings),
            "joinable_today": sum(1 for m in agenda.meetings if m.joinable)}


def measure_parse(events: int, series: int, runs: int) -> dict[str, Any]:
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="calendar-bench-") as directory:
        path = Path(directory) / "feed.ics"
        body = make_feed(events, series, today)
        path.write_bytes(body)
        results = []
        for _ in range(runs):
            done = subprocess.run([sys.executable, __file__, "--child", str(path),
                                   today.isoformat()], capture_output=True, text=True, check=True)
            results.append(json.loads(done.stdout))
    return {
        "events": events, "recurring_series": series, "feed_bytes": len(body),
        "meetings_today": results[0]["meetings_today"],
        "joinable_today": results[0]["joinable_today"],
        "cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in results), 3),
        "extra_peak_mb": round(statistics.median(r["extra_peak_mb"] for r in results), 1),
        "runs": runs,
        "memory_measured_as": "growth of the child's ru_maxrss during parse + expand",
    }


class _NotModified(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real feed host
    body = b""
    etag = '"bench-etag"'

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.send_header("ETag", self.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("ETag", self.etag)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


def measure_refresh(refreshes: int, events: int, series: int) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    import trustme

    from kiosk.calendar.calendar_cache import CalendarCache
    from kiosk.calendar.calendar_service import CalendarService
    from kiosk.calendar.feed_source import IcsFeedSource

    _NotModified.body = make_feed(events, series, dt.date.today())
    with tempfile.TemporaryDirectory(prefix="calendar-bench-") as directory:
        ca = trustme.CA()
        bundle = Path(directory) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _NotModified)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"https://127.0.0.1:{server.server_address[1]}/calendar.ics"
        figures: dict[str, float] = {}
        try:
            for kind in ("kept_alive", "new_connection"):
                source = IcsFeedSource(url, verify=str(bundle))
                service = CalendarService(source, CalendarCache(Path(directory) / kind),
                                          zone=ZoneInfo("Europe/Oslo"))
                service.refresh()  # the first read: 200 and a parse (not measured)
                costs = []
                for _ in range(refreshes):
                    if kind == "new_connection":
                        source.close()  # the pool reconnects: a new TLS handshake
                    started = time.thread_time()
                    snapshot = service.refresh()
                    costs.append(time.thread_time() - started)
                    assert snapshot.status.problem == "", snapshot.status.problem
                figures[f"cpu_ms_{kind}"] = round(statistics.median(costs) * 1000, 2)
        finally:
            server.shutdown()
            server.server_close()
    return {**figures, "refreshes": refreshes,
            "cpu_measured_as": "time.thread_time of the refreshing thread (server not counted)"}


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.stdout.write(json.dumps(child_parse(Path(sys.argv[2]),
                                                dt.date.fromisoformat(sys.argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="children for parse + expand")
    parser.add_argument("--refreshes", type=int, default=20)
    args = parser.parse_args()
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    parse = measure_parse(args.events, args.series, args.runs)
    refresh = measure_refresh(args.refreshes, args.events, args.series)
    result = {
        "bench": "calendar_cost",
        "load_average_1min": float(load),
        "parse_expand": parse,
        "refresh_304": refresh,
        "targets": dict(TARGETS),
        "within_targets": (parse["cpu_seconds"] <= TARGETS["parse_expand_cpu_seconds_max"]
                           and parse["extra_peak_mb"] <= TARGETS["parse_expand_extra_peak_mb_max"]
                           and refresh["cpu_ms_new_connection"]
                           <= TARGETS["refresh_304_cpu_ms_max"]),
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
