"""Where the calendar comes from: what every source answers, and the iCalendar feed over
https (conditional requests, a total deadline, a size limit) or a local file.

The feed's address is never logged nor put in an error text: a published
calendar's address is its password. Only its host is named.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import requests

from kiosk import __version__
from kiosk.calendar.feed_errors import CalendarUnreachable, FeedTooLarge
from kiosk.config import is_loopback_host
from kiosk.infinity.proxy_environment import proxies_for
from kiosk.net import BodyTooLarge, DeadlineAdapter, DeadlineExceeded, HttpLimits, bounded_request

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 16 * 1024 * 1024
FEED_LIMITS = HttpLimits(deadline=30.0, max_body=MAX_FEED_BYTES, connect=10.0, read=20.0)
MAX_REDIRECTS = 5
ACCEPT = "text/calendar, application/ics;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class Validators:
    """What the server said identifies its copy: sent back to ask "changed since?"."""

    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class FeedReply:
    """A read of the calendar: the feed's bytes, or `changed=False` (HTTP 304)."""

    changed: bool
    body: bytes = field(default=b"", repr=False)
    validators: Validators = Validators()


class CalendarSource(Protocol):
    """A calendar the room reads (blocking; run it off the UI thread)."""

    @property
    def identity(self) -> str:
        """A fingerprint of the source (a hash: the address itself is a secret)."""
        ...

    @property
    def description(self) -> str:
        """What to call it in the log and on the admin screen (its host, a file name)."""
        ...

    def fetch(self, validators: Validators) -> FeedReply:
        """Read the calendar; raise a `CalendarError` with one human line when it cannot."""
        ...


def fingerprint(text: str) -> str:
    """A short, stable, one-way fingerprint of a source's address."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def describe_http_status(status: int, host: str) -> str:
    """The sentence for a calendar server's refusal."""
    if status in (401, 403):
        return (f"the calendar server {host} refused access (HTTP {status}); the published "
                "address may have been reset")
    if status in (404, 410):
        return f"the calendar server {host} has no calendar at that address (HTTP {status})"
    if status >= 500:
        return f"the calendar server {host} failed (HTTP {status})"
    return f"the calendar server {host} answered HTTP {status}"


class IcsFeedSource:
    """An iCalendar feed over https: `If-None-Match` / `If-Modified-Since`, verified TLS."""

    def __init__(self, url: str, verify: bool | str = True,
                 limits: HttpLimits = FEED_LIMITS) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("the calendar address is not an https URL")
        self._url = url
        self._host = parts.hostname
        self._limits = limits
        self._session = requests.Session()
        self._session.verify = verify
        # TLS trust and credentials are the kiosk's settings alone (as for the node).
        self._session.trust_env = False
        self._session.proxies.update(proxies_for(url))
        self._session.max_redirects = MAX_REDIRECTS
        adapter = DeadlineAdapter(max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.headers["User-Agent"] = f"pexip-room-kiosk/{__version__}"
        self._session.headers["Accept"] = ACCEPT

    @property
    def identity(self) -> str:
        """A fingerprint of the feed's address."""
        return fingerprint(self._url)

    @property
    def description(self) -> str:
        """The feed's host."""
        return self._host

    def close(self) -> None:
        """Close the connection pool."""
        self._session.close()

    def fetch(self, validators: Validators) -> FeedReply:
        """GET the feed, conditionally when `validators` say what we have."""
        headers: dict[str, str] = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        host = self._host
        try:
            reply = bounded_request(self._session, "GET", self._url, self._limits,
                                    headers=headers)
        except BodyTooLarge:
            raise FeedTooLarge(f"the calendar from {host} is larger than "
                               f"{MAX_FEED_BYTES // (1024 * 1024)} MB") from None
        except DeadlineExceeded:
            raise CalendarUnreachable(f"the calendar server {host} did not answer within "
                                      f"{self._limits.deadline:g} s") from None
        except requests.exceptions.SSLError:
            raise CalendarUnreachable(f"the calendar server {host}'s certificate is not "
                                      "trusted (KIOSK_CALENDAR_CA_BUNDLE)") from None
        except requests.exceptions.TooManyRedirects:
            raise CalendarUnreachable(f"the calendar server {host} redirects too often"
                                      ) from None
        except requests.RequestException as exc:
            log.debug("calendar fetch from %s failed: %s", host, type(exc).__name__)
            raise CalendarUnreachable(f"cannot reach the calendar server {host}") from None
        final = urlsplit(reply.url)
        if final.scheme != "https" and not is_loopback_host(final.hostname or ""):
            raise CalendarUnreachable(f"the calendar server {host} redirected to plain http")
        if reply.status == 304:
            if not (validators.etag or validators.last_modified):
                raise CalendarUnreachable(f"the calendar server {host} answered 304 to a "
                                          "plain request")
            return FeedReply(changed=False, validators=validators)
        if reply.status != 200:
            raise CalendarUnreachable(describe_http_status(reply.status, host))
        headers_in = {k.lower(): v for k, v in reply.headers.items()}
        return FeedReply(changed=True, body=reply.body, validators=Validators(
            etag=headers_in.get("etag", ""), last_modified=headers_in.get("last-modified", "")))


class FileSource:
    """A calendar file on disk (`pexip-kiosk agenda --file`)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def identity(self) -> str:
        """A fingerprint of the file's path."""
        return fingerprint(str(self._path.resolve()))

    @property
    def description(self) -> str:
        """The file's name."""
        return self._path.name

    def fetch(self, validators: Validators) -> FeedReply:
        """Read the file (at most MAX_FEED_BYTES)."""
        try:
            with self._path.open("rb") as handle:
                body = handle.read(MAX_FEED_BYTES + 1)
        except OSError as exc:
            raise CalendarUnreachable(f"cannot read {self._path} ({exc.strerror})") from None
        if len(body) > MAX_FEED_BYTES:
            raise FeedTooLarge(f"{self._path.name} is larger than "
                               f"{MAX_FEED_BYTES // (1024 * 1024)} MB")
        return FeedReply(changed=True, body=body)
