"""Protocol shapes of the Pexip Client REST API v2 as dataclasses.

Every `parse` classmethod validates the JSON it is given and raises
`ProtocolError` on a wrong shape, never KeyError/TypeError. Unknown fields are
kept in `extra` (never fatal).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.infinity.errors import ProtocolError


def _require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _str(data: Mapping[str, Any], key: str, what: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise ProtocolError(f"{what}: '{key}' is missing")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ProtocolError(f"{what}: '{key}' is not a string")
    return value


def _float(data: Mapping[str, Any], key: str, what: str, default: float | None = None) -> float:
    value = data.get(key, default)
    if value is None:
        raise ProtocolError(f"{what}: '{key}' is missing")
    if isinstance(value, bool):
        raise ProtocolError(f"{what}: '{key}' is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer beyond float
        raise ProtocolError(f"{what}: '{key}' is not a number") from None
    if not math.isfinite(number):
        raise ProtocolError(f"{what}: '{key}' is not a finite number")
    return number


def _finite_or_none(value: Any) -> float | None:
    """A JSON number as a finite float; None for anything else (text, bool, huge, inf)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def yes_no(value: Any) -> bool:
    """Pexip sends some booleans as "YES"/"NO" strings and others as JSON booleans."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().upper() in ("YES", "TRUE", "1")
    return False


class Role(enum.Enum):
    """The participant's role: host (chair) or guest."""

    HOST = "HOST"
    GUEST = "GUEST"

    @classmethod
    def parse(cls, value: Any) -> Role:
        """Accept the token reply's HOST/GUEST and the roster's chair/guest."""
        text = str(value or "").upper()
        return cls.HOST if text in ("HOST", "CHAIR") else cls.GUEST


@dataclass(frozen=True)
class IceServer:
    """One STUN or TURN server from the token reply."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Token:
    """The reply of request_token (and, merged, of refresh_token)."""

    token: str = field(repr=False)
    expires: float
    participant_uuid: str
    display_name: str
    role: Role
    service_type: str
    current_service_type: str
    conference_name: str
    stun: tuple[IceServer, ...] = ()
    turn: tuple[IceServer, ...] = ()
    use_relay_candidates_only: bool = False
    call_type: str = "video"
    bandwidth_in: int | None = None
    bandwidth_out: int | None = None
    version: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, result: Any) -> Token:
        """Parse the `result` of a 200 request_token reply."""
        what = "request_token reply"
        data = _require_mapping(result, what)
        token = _str(data, "token", what)
        if not token:
            raise ProtocolError(f"{what}: 'token' is empty")
        expires = _float(data, "expires", what, default="120")
        if expires <= 0:
            raise ProtocolError(f"{what}: 'expires' is not positive")
        service_type = _str(data, "service_type", what, default="conference")
        stun = tuple(_parse_stun(data.get("stun") or []))
        turn = tuple(_parse_turn(data.get("turn") or []))
        version = data.get("version")
        version_id = None
        if isinstance(version, Mapping):
            raw = version.get("version_id")
            version_id = str(raw) if raw is not None else None

        def opt_int(key: str) -> int | None:
            value = data.get(key)
            if value is None or isinstance(value, bool):
                return None
            try:
                return int(float(value))
            except (TypeError, ValueError, OverflowError):
                return None

        known = {
            "token", "expires", "participant_uuid", "display_name", "role", "service_type",
            "current_service_type", "conference_name", "stun", "turn",
            "use_relay_candidates_only", "call_type", "bandwidth_in", "bandwidth_out", "version",
        }
        return cls(
            token=token,
            expires=expires,
            participant_uuid=_str(data, "participant_uuid", what),
            display_name=_str(data, "display_name", what, default=""),
            role=Role.parse(data.get("role")),
            service_type=service_type,
            current_service_type=_str(data, "current_service_type", what, default=service_type),
            conference_name=_str(data, "conference_name", what, default=""),
            stun=stun,
            turn=turn,
            use_relay_candidates_only=yes_no(data.get("use_relay_candidates_only", False)),
            call_type=_str(data, "call_type", what, default="video"),
            bandwidth_in=opt_int("bandwidth_in"),
            bandwidth_out=opt_int("bandwidth_out"),
            version=version_id,
            extra={k: v for k, v in data.items() if k not in known},
        )

    def refreshed(self, result: Any) -> Token:
        """A copy with the new token and expiry of a refresh_token reply."""
        what = "refresh_token reply"
        data = _require_mapping(result, what)
        token = _str(data, "token", what)
        if not token:
            raise ProtocolError(f"{what}: 'token' is empty")
        expires = _float(data, "expires", what, default=self.expires)
        if expires <= 0:
            raise ProtocolError(f"{what}: 'expires' is not positive")
        role = Role.parse(data["role"]) if "role" in data else self.role
        return replace(self, token=token, expires=expires, role=role)

    @property
    def ice_servers(self) -> tuple[IceServer, ...]:
        """STUN then TURN servers, exactly as the node gave them (empty on a LAN)."""
        return self.stun + self.turn


def _parse_stun(items: Any) -> list[IceServer]:
    if not isinstance(items, list):
        raise ProtocolError("request_token reply: 'stun' is not a list")
    servers = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("url"), str):
            servers.append(IceServer(urls=(item["url"],)))
    return servers


def _parse_turn(items: Any) -> list[IceServer]:
    if not isinstance(items, list):
        raise ProtocolError("request_token reply: 'turn' is not a list")
    servers = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        urls = item.get("urls", item.get("url"))
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            continue
        username = item.get("username")
        credential = item.get("credential")
        servers.append(
            IceServer(
                urls=tuple(urls),
                username=username if isinstance(username, str) else None,
                credential=credential if isinstance(credential, str) else None,
            )
        )
    return servers


@dataclass(frozen=True)
class Participant:
    """A roster entry from participant_create/participant_update."""

    uuid: str
    display_name: str = ""
    role: Role = Role.GUEST
    service_type: str = "conference"
    is_muted: bool = False
    is_video_muted: bool = False
    is_client_muted: bool = False
    is_presenting: bool = False
    buzz_time: float = 0.0  # non-zero: the hand is raised (since then)
    start_time: float | None = None
    protocol: str = ""
    uri: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, data: Any) -> Participant:
        """Parse a participant object; only `uuid` is required."""
        what = "participant"
        obj = _require_mapping(data, what)
        uuid = _str(obj, "uuid", what)
        known = {
            "uuid", "display_name", "role", "service_type", "is_muted", "is_video_muted",
            "is_client_muted", "is_presenting", "start_time", "protocol", "uri", "buzz_time",
        }
        return cls(
            uuid=uuid,
            display_name=str(obj.get("display_name") or ""),
            role=Role.parse(obj.get("role")),
            service_type=str(obj.get("service_type") or "conference"),
            is_muted=yes_no(obj.get("is_muted")),
            is_video_muted=yes_no(obj.get("is_video_muted")),
            is_client_muted=yes_no(obj.get("is_client_muted")),
            is_presenting=yes_no(obj.get("is_presenting")),
            buzz_time=_finite_or_none(obj.get("buzz_time")) or 0.0,
            start_time=_finite_or_none(obj.get("start_time")),
            protocol=str(obj.get("protocol") or ""),
            uri=str(obj.get("uri") or ""),
            extra={k: v for k, v in obj.items() if k not in known},
        )

    @property
    def is_waiting(self) -> bool:
        """Held in the waiting room until a host lets guests in."""
        return self.service_type == "waiting_room"


@dataclass(frozen=True)
class ConferenceState:
    """The conference-wide flags of conference_update."""

    locked: bool = False
    started: bool = True
    guests_muted: bool = False
    all_muted: bool = False
    presentation_allowed: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, data: Any, previous: ConferenceState | None = None) -> ConferenceState:
        """Parse conference_update; fields not present keep their previous value."""
        obj = _require_mapping(data, "conference_update")
        base = previous or cls()

        def flag(key: str, current: bool) -> bool:
            return yes_no(obj[key]) if key in obj else current

        known = {"locked", "started", "guests_muted", "all_muted", "presentation_allowed"}
        return cls(
            locked=flag("locked", base.locked),
            started=flag("started", base.started),
            guests_muted=flag("guests_muted", base.guests_muted),
            all_muted=flag("all_muted", base.all_muted),
            presentation_allowed=flag("presentation_allowed", base.presentation_allowed),
            extra={**base.extra, **{k: v for k, v in obj.items() if k not in known}},
        )


@dataclass(frozen=True)
class Event:
    """One server-sent event: its name, decoded JSON data (or None) and id."""

    name: str
    data: Any = None
    id: str | None = None


@dataclass(frozen=True)
class CallAnswer:
    """The reply of `calls` (and of `update`): the call's uuid and the answer SDP."""

    call_uuid: str
    sdp: str
    turn: tuple[IceServer, ...] = ()

    @classmethod
    def parse(cls, result: Any, call_uuid: str | None = None) -> CallAnswer:
        """Accept `{"call_uuid", "sdp"}` or, for `update`, a bare SDP string."""
        if isinstance(result, str) and call_uuid is not None:
            if not result.strip():
                raise ProtocolError("call reply: empty SDP")
            return cls(call_uuid=call_uuid, sdp=result)
        what = "call reply"
        data = _require_mapping(result, what)
        sdp = _str(data, "sdp", what)
        if not sdp.strip():
            raise ProtocolError(f"{what}: empty SDP")
        uuid = data.get("call_uuid", call_uuid)
        if not isinstance(uuid, str) or not uuid:
            raise ProtocolError(f"{what}: 'call_uuid' is missing")
        return cls(call_uuid=uuid, sdp=sdp, turn=tuple(_parse_turn(data.get("turn") or [])))
