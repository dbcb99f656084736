"""Map a node's HTTP reply (status, headers, JSON body) to its `result` or a typed error.

Follows the protocol doc: read `result`, never trust `status`; the 403 table;
404 with and without JSON; 429/502/503/504/529 with Retry-After (busy: try
again later); 415. Error texts
quote at most a short, cleaned reason string from the node, with every secret
of the request (PIN, token) blanked, and never the raw body.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.infinity.errors import (
    ConferenceNotFound,
    ExtensionRequired,
    InfinityError,
    InvalidPin,
    InvalidToken,
    NotAPexipNode,
    PinRequired,
    ProtocolError,
    Refused,
    ServiceUnavailable,
    SsoRequired,
)

GUEST_PIN = "none"
# 429 (too many requests) is a busy node too: Pexip's clients wait and try again.
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504, 529})
MAX_REASON_LENGTH = 200
NOT_FOUND_REASON = "Neither conference nor gateway found"


@dataclass(frozen=True)
class NodeReply:
    """What the client received: the HTTP status, the Retry-After header and the raw body."""

    status: int
    body: bytes
    retry_after: str | None = None


def decode_json(body: bytes) -> tuple[bool, Any]:
    """`(True, value)` when the body is JSON, else `(False, None)`."""
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError):
        # ValueError covers JSONDecodeError, UnicodeDecodeError and over-long integers.
        return False, None


def retry_after_seconds(header: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date), or None."""
    if not header:
        return None
    text = header.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def clean_reason(value: Any, default: str, secrets: Iterable[str | None] = ()) -> str:
    """A short printable reason from the node's `result`, secrets blanked; `default` if none."""
    if not isinstance(value, str):
        return default
    text = "".join(ch if ch.isprintable() else " " for ch in value).strip()
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    if len(text) > MAX_REASON_LENGTH:
        text = text[: MAX_REASON_LENGTH - 1] + "…"
    return text or default


def error_for_403(
    result: Any, pin_sent: str | None, secrets: Iterable[str | None] = ()
) -> InfinityError:
    """The typed error for a 403 `result` (the doc's table), `pin_sent` being the pin header."""
    if isinstance(result, str):
        reason = result.strip()
        if reason.lower() == "invalid token":
            return InvalidToken("The session's token is no longer valid")
        if reason.lower() == "invalid pin":
            return InvalidPin()
        return Refused(clean_reason(result, "The node refused the request", secrets), 403)
    if isinstance(result, Mapping):
        if "pin" in result or "guest_pin" in result:
            guest_allowed = str(result.get("guest_pin", "")).strip().lower() == GUEST_PIN
            if pin_sent is None:
                return PinRequired(guest_allowed=guest_allowed)
            if pin_sent == GUEST_PIN and not guest_allowed:
                # A guest without a PIN, where everyone now needs one: ask for the PIN.
                return PinRequired(guest_allowed=False)
            return InvalidPin()
        if "conference_extension" in result:
            kind = result.get("conference_extension_type")
            if not isinstance(kind, str) or not kind.strip():
                value = result.get("conference_extension")
                kind = value if isinstance(value, str) and value != "required" else "standard"
            return ExtensionRequired(clean_reason(kind, "standard"))
        if "idp" in result or "redirect_url" in result or "redirect_idp" in result:
            return SsoRequired()
    return ProtocolError(f"unexpected 403 reply ({type(result).__name__} result)")


def reply_result(
    reply: NodeReply,
    what: str,
    pin_sent: str | None = None,
    secrets: Iterable[str | None] = (),
) -> Any:
    """The `result` of a successful reply; raise the typed error for anything else.

    `what` names the call in error texts ("request_token"); `pin_sent` is the pin
    header sent (None when none was); `secrets` are blanked from quoted reasons.
    """
    secrets = tuple(secrets)
    is_json, document = decode_json(reply.body)
    has_result = is_json and isinstance(document, Mapping) and "result" in document
    result = document.get("result") if has_result else None
    status = reply.status

    if 200 <= status < 300:
        if not is_json:
            raise ProtocolError(f"{what}: the node's reply is not JSON (HTTP {status})")
        if not isinstance(document, Mapping):
            raise ProtocolError(f"{what}: the node's reply is not a JSON object")
        if not has_result:
            raise ProtocolError(f"{what}: the node's reply has no 'result'")
        return result
    if 300 <= status < 400:
        # Redirects are not followed: a `token`/`pin` header must never go to another host.
        raise NotAPexipNode(
            f"The address redirects elsewhere (HTTP {status}): use the Conferencing Node's own"
            " address"
        )
    if status in UNAVAILABLE_STATUSES:
        default = f"The node is temporarily unavailable (HTTP {status})"
        raise ServiceUnavailable(
            clean_reason(result, default, secrets), retry_after_seconds(reply.retry_after),
            status=status,
        )
    if status == 404:
        if has_result:
            raise ConferenceNotFound(clean_reason(result, NOT_FOUND_REASON, secrets))
        raise NotAPexipNode("The address answered, but not like a Pexip Conferencing Node (404)")
    if status == 403 and has_result:
        raise error_for_403(result, pin_sent, secrets)
    if has_result:
        raise Refused(clean_reason(result, f"The node refused {what} (HTTP {status})", secrets),
                      status)
    if status == 415:
        raise Refused(f"The node refused {what} (HTTP 415, unsupported request)", 415)
    if is_json:
        raise ProtocolError(f"{what}: HTTP {status} with a reply that has no 'result'")
    raise ProtocolError(f"{what}: HTTP {status} with a reply that is not JSON")
