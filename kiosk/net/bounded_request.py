"""One HTTP exchange within a total deadline and a size limit; the body streamed, never
`.content` of an unknown size."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3.exceptions

from kiosk.net.deadline_adapter import DeadlineAdapter, DeadlineScope

READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class HttpLimits:
    """How long one exchange may take in all (connect, headers, body), and how much it may
    read; `connect`/`read` bound each step on top."""

    deadline: float = 20.0
    max_body: int = 1024 * 1024
    connect: float = 5.0
    read: float = 10.0


class DeadlineExceeded(requests.exceptions.Timeout):
    """The exchange did not finish within its total deadline."""


class BodyTooLarge(requests.exceptions.RequestException):
    """The reply is larger than the exchange's size limit (it was not read further)."""


@dataclass(frozen=True)
class BoundedReply:
    """A reply read in full within the limits."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    url: str = ""


def _read_capped(response: requests.Response, limit: int, scope: DeadlineScope | None,
                 started: float, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the reply is {int(declared)} bytes, over the {limit}-byte limit")
    parts: list[bytes] = []
    size = 0
    for chunk in response.raw.stream(READ_CHUNK, decode_content=True):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the reply is over the {limit}-byte limit")
        parts.append(chunk)
        if (scope is not None and scope.expired) or time.monotonic() - started > deadline:
            raise DeadlineExceeded(f"the reply took longer than {deadline:g} s")
    return b"".join(parts)


def bounded_request(
    session: requests.Session,
    method: str,
    url: str,
    limits: HttpLimits,
    **kwargs: Any,
) -> BoundedReply:
    """`session.request(method, url, **kwargs)` read in full within `limits`.

    Raises `DeadlineExceeded` (a `requests.Timeout`) when the whole exchange takes
    longer than `limits.deadline`, `BodyTooLarge` when the body (after decoding) is
    larger than `limits.max_body`, and the usual `requests` errors otherwise. The
    total deadline is enforced on the socket when the session's adapter for `url` is
    a `DeadlineAdapter`, else only between body chunks.
    """
    adapter = session.get_adapter(url)
    kwargs.setdefault("timeout", (limits.connect, limits.read))
    started = time.monotonic()
    scope_manager = adapter.deadline(limits.deadline) if isinstance(
        adapter, DeadlineAdapter) else None
    scope: DeadlineScope | None = None
    try:
        if scope_manager is not None:
            scope = scope_manager.__enter__()
        try:
            response = session.request(method, url, stream=True, **kwargs)
        except requests.RequestException:
            if scope is not None and scope.expired:
                raise DeadlineExceeded(
                    f"no complete reply within {limits.deadline:g} s") from None
            raise
        try:
            body = _read_capped(response, limits.max_body, scope, started, limits.deadline)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError,
                ValueError) as exc:
            if isinstance(exc, BodyTooLarge | DeadlineExceeded):
                raise
            if (scope is not None and scope.expired) or (
                    time.monotonic() - started > limits.deadline):
                raise DeadlineExceeded(
                    f"the reply took longer than {limits.deadline:g} s") from None
            if isinstance(exc, requests.RequestException):
                raise
            raise requests.exceptions.ConnectionError(
                f"the reply broke off ({type(exc).__name__})") from None
        finally:
            response.close()
    finally:
        if scope_manager is not None:
            scope_manager.__exit__(None, None, None)
    return BoundedReply(status=response.status_code, headers=dict(response.headers),
                        body=body, url=response.url)
