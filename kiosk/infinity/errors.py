"""Typed outcomes of the Pexip Client REST API that the session acts on.

Messages never contain a PIN or a token.
"""

from __future__ import annotations


class InfinityError(Exception):
    """Base of every error the Infinity client raises."""


class PinRequired(InfinityError):
    """The conference needs a PIN; `guest_allowed` when only hosts need one."""

    def __init__(self, guest_allowed: bool) -> None:
        suffix = " (guests may join without)" if guest_allowed else ""
        super().__init__("A PIN is required" + suffix)
        self.guest_allowed = guest_allowed


class InvalidPin(InfinityError):
    """The PIN sent was wrong."""

    def __init__(self) -> None:
        super().__init__("Invalid PIN")


class ExtensionRequired(InfinityError):
    """A Virtual Reception: the meeting number (`conference_extension`) must be given."""

    def __init__(self, kind: str = "standard") -> None:
        super().__init__(f"A meeting number is required (Virtual Reception, {kind})")
        self.kind = kind


class SsoRequired(InfinityError):
    """The conference needs single sign-on, which a kiosk cannot do."""

    def __init__(self) -> None:
        super().__init__("This meeting requires single sign-on")


class ConferenceNotFound(InfinityError):
    """No conference or gateway rule matches the alias."""


class NotAPexipNode(InfinityError):
    """The host answered, but not like a Pexip Conferencing Node."""


class ServiceUnavailable(InfinityError):
    """The node is busy or temporarily unable to serve (429/502/503/504/529); retry later,
    after `retry_after` seconds when the node said (Retry-After)."""

    def __init__(self, reason: str, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


class InvalidToken(InfinityError):
    """The token is no longer valid: the participant is gone."""


class Refused(InfinityError):
    """The node refused the request with a reason (403 string, 415, other 4xx)."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class NodeUnreachable(InfinityError):
    """The node could not be reached: DNS, refused connection, timeout or TLS failure.

    `cause` is a short human description ("the name could not be resolved", ...).
    """

    def __init__(self, cause: str, tls: bool = False) -> None:
        super().__init__(cause)
        self.cause = cause
        self.tls = tls


class ProtocolError(InfinityError):
    """The node's reply was malformed or unexpected (not JSON, wrong types, missing fields)."""
