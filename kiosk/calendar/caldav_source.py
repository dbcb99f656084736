"""A CalDAV calendar (`KIOSK_CALDAV_URL`), read with the `caldav` package.

Each read asks the server for the events around today (recurring series
included, unexpanded: `kiosk.calendar.day_agenda` expands them like a feed's)
and joins them into one iCalendar text, so the rest of the kiosk sees a feed.
A read whose text did not change reports `changed=False`, as a 304 would.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import caldav
from caldav.lib import error as caldav_errors

from kiosk.calendar.feed_errors import CalendarUnreachable, FeedTooLarge
from kiosk.calendar.feed_source import MAX_FEED_BYTES, FeedReply, Validators, fingerprint

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
WINDOW_BEFORE = dt.timedelta(days=1)
WINDOW_AFTER = dt.timedelta(days=2)
COMPONENT = re.compile(r"^BEGIN:(VEVENT|VTIMEZONE)\r?$.*?^END:\1\r?$", re.MULTILINE | re.DOTALL)


class CalDavSource:
    """The events of one CalDAV calendar collection around today."""

    def __init__(self, url: str, username: str = "", password: str = "",
                 verify: bool | str = True,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._url = url
        self._host = urlsplit(url).hostname or "?"
        self._username = username
        self._password = password
        self._verify = verify
        self._now = now

    @property
    def identity(self) -> str:
        """A fingerprint of the collection's address and user."""
        return fingerprint(f"caldav {self._url} {self._username}")

    @property
    def description(self) -> str:
        """The CalDAV server's host."""
        return self._host

    def _objects(self) -> list[str]:
        now = self._now()
        with caldav.DAVClient(url=self._url, username=self._username or None,
                              password=self._password or None, timeout=TIMEOUT_SECONDS,
                              ssl_verify_cert=self._verify) as client:
            calendar = client.calendar(url=self._url)
            found = calendar.search(start=now - WINDOW_BEFORE, end=now + WINDOW_AFTER,
                                    event=True, expand=False)
            return [str(item.data or "") for item in found]

    def fetch(self, validators: Validators) -> FeedReply:
        """Read the events around today as one iCalendar text."""
        host = self._host
        try:
            objects = self._objects()
        except caldav_errors.AuthorizationError:
            raise CalendarUnreachable(f"the CalDAV server {host} refused the user name or "
                                      "password") from None
        except caldav_errors.NotFoundError:
            raise CalendarUnreachable(f"the CalDAV server {host} has no calendar at that "
                                      "address") from None
        except Exception as exc:  # caldav raises its own errors and its HTTP library's
            log.debug("CalDAV read from %s failed: %s", host, type(exc).__name__)
            raise CalendarUnreachable(f"cannot read the CalDAV calendar on {host} "
                                      f"({type(exc).__name__})") from None
        components: dict[str, None] = {}  # ordered, and each time zone once
        for text in objects:
            for found in COMPONENT.finditer(text):
                components[found.group(0).replace("\r\n", "\n")] = None
        zones = [c for c in components if c.startswith("BEGIN:VTIMEZONE")]
        events = [c for c in components if c.startswith("BEGIN:VEVENT")]
        body = "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0",
                          "PRODID:-//Pexip room kiosk//CalDAV//EN", *zones, *events,
                          "END:VCALENDAR", ""]).encode("utf-8")
        if len(body) > MAX_FEED_BYTES:
            raise FeedTooLarge(f"the CalDAV calendar on {host} is larger than "
                               f"{MAX_FEED_BYTES // (1024 * 1024)} MB")
        version = Validators(etag=fingerprint(body.decode("utf-8")))
        if validators.etag == version.etag:
            return FeedReply(changed=False, validators=validators)
        return FeedReply(changed=True, body=body, validators=version)
