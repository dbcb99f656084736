"""Turn a `requests` network exception into `NodeUnreachable` with the cause in words.

The words name the host and port (never a URL path, header, PIN or token) so
that an installer reading the room screen knows what to fix.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
from collections.abc import Iterator

import requests
from urllib3.exceptions import NameResolutionError

from kiosk.infinity.errors import NodeUnreachable
from kiosk.net import DeadlineExceeded

# http.client's words when a proxy answers CONNECT with an error, e.g. "... failed: 403 Forbidden".
TUNNEL_REFUSED = re.compile(r"Tunnel connection failed: (\d{3}[\w .-]{0,60})")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (`__cause__`, `__context__`, `.reason`, args)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(linked, BaseException):
                pending.append(linked)
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))


def _tls_cause(causes: list[BaseException]) -> str:
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            message = (cause.verify_message or str(cause)).lower()
            if "hostname" in message or "ip address mismatch" in message:
                return "the node's certificate does not match its address"
            if "expired" in message:
                return "the node's certificate has expired"
            return "the node's certificate is not trusted"
    for cause in causes:
        if "certificate verify failed" in str(cause).lower():
            return "the node's certificate is not trusted"
    return "the secure (TLS) connection to the node failed"


def _proxy_failure(causes: list[BaseException], where: str) -> NodeUnreachable:
    """A failure of the web proxy itself (never quoting its URL: it may hold a password)."""
    for cause in causes:
        refused = TUNNEL_REFUSED.search(str(cause))
        if refused:
            status = refused.group(1).strip()
            return NodeUnreachable(f"the web proxy refused the connection to {where} ({status})")
    if any(isinstance(cause, ssl.SSLError) for cause in causes):
        return NodeUnreachable("the secure (TLS) connection to the web proxy failed", tls=True)
    return NodeUnreachable("the web proxy (HTTPS_PROXY) could not be reached")


def describe_connection_failure(
    exc: requests.RequestException, host: str, port: int | None, timeout: float | None = None
) -> NodeUnreachable:
    """The `NodeUnreachable` for a failed request to `host:port` (`timeout`: the one that hit)."""
    where = f"{host}:{port}" if port else host
    causes = list(_causes(exc))
    if isinstance(exc, requests.exceptions.InvalidProxyURL):
        return NodeUnreachable("the web proxy address (HTTPS_PROXY) is not a valid URL")
    if isinstance(exc, requests.exceptions.ProxyError):
        return _proxy_failure(causes, where)
    if isinstance(exc, requests.exceptions.SSLError) or any(
        isinstance(cause, ssl.SSLError) for cause in causes
    ):
        return NodeUnreachable(_tls_cause(causes), tls=True)
    seconds = f" within {timeout:g} s" if timeout else ""
    if isinstance(exc, DeadlineExceeded):
        return NodeUnreachable(f"the node {where} did not finish its reply{seconds} (timeout)")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return NodeUnreachable(f"the node {where} did not accept a connection{seconds} (timeout)")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return NodeUnreachable(f"the node {where} did not reply{seconds} (timeout)")
    for cause in causes:
        if isinstance(cause, (NameResolutionError, socket.gaierror)):
            return NodeUnreachable(f"the name {host} could not be found (DNS)")
        if isinstance(cause, ConnectionRefusedError):
            return NodeUnreachable(f"the connection to {where} was refused (nothing listening)")
        if isinstance(cause, ConnectionResetError):
            return NodeUnreachable(f"the connection to {where} was reset")
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return NodeUnreachable(f"there is no network route to {where}")
        if isinstance(cause, (TimeoutError, socket.timeout)):
            return NodeUnreachable(f"the node {where} did not answer{seconds} (timeout)")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return NodeUnreachable(f"the connection to {where} broke during the reply")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return NodeUnreachable(f"could not connect to {where}")
    return NodeUnreachable(f"the request to {where} failed ({type(exc).__name__})")
