"""The meeting events beyond roster and call: transfers, breakouts, hold, splash screens,
messages, role changes and `peer_disconnect`, parsed into typed shapes.

`ExtraEvents.handle(event)` returns False for an event it does not know (the
caller logs it at DEBUG) and raises ValueError for a known event with a broken
payload (the caller logs one WARNING and carries on): a node can never end the
meeting with an event.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.infinity.models import Event, Role

MAX_TEXT = 500  # a message or a name longer than this is cut (a screen shows a few lines)


@dataclass(frozen=True)
class Refer:
    """`refer`: the room is transferred to `alias`, joining with the one-time `token`."""

    alias: str
    token: str


@dataclass(frozen=True)
class BreakoutMove:
    """`breakout_begin` / `breakout_end` / `breakout_refer` of one breakout room."""

    breakout_uuid: str
    participant_uuid: str = ""
    name: str = ""


@dataclass(frozen=True)
class SplashRequest:
    """`splash_screen`: show the theme screen `key` (for `duration` s if given); None clears."""

    key: str
    duration: float | None = None


@dataclass(frozen=True)
class ReceivedMessage:
    """`message_received`."""

    sender: str
    sender_uuid: str
    text: str
    direct: bool


@dataclass(frozen=True)
class ExtraHandlers:
    """What the meeting does for each of these events (called on the loop thread)."""

    refer: Callable[[Refer], None]
    breakout_begin: Callable[[BreakoutMove], None]
    breakout_refer: Callable[[BreakoutMove], None]
    breakout_end: Callable[[BreakoutMove], None]
    on_hold: Callable[[bool], None]
    splash_screen: Callable[[SplashRequest | None], None]
    peer_disconnect: Callable[[], None]
    message: Callable[[ReceivedMessage], None]
    role: Callable[[Role], None]


def _object(data: Any, name: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{name}: the data is not an object")
    return data


def _text(data: dict[str, Any], key: str, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{key!r} is not a non-empty string")
    return value.strip()[:MAX_TEXT]


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().upper() in ("YES", "TRUE", "1", "ON"):
        return True
    if isinstance(value, str) and value.strip().upper() in ("NO", "FALSE", "0", "OFF"):
        return False
    if isinstance(value, (int, float)):
        return bool(value)
    raise ValueError("not a true/false setting")


class ExtraEvents:
    """Parses the events of this module and calls the matching handler."""

    def __init__(self, handlers: ExtraHandlers) -> None:
        self._handlers = handlers
        self._table: dict[str, Callable[[Any], None]] = {
            "refer": self._refer,
            "breakout_begin": lambda d: handlers.breakout_begin(self._move(d, "breakout_begin")),
            "breakout_refer": lambda d: handlers.breakout_refer(self._move(d, "breakout_refer")),
            "breakout_end": lambda d: handlers.breakout_end(self._move(d, "breakout_end")),
            "on_hold": self._on_hold,
            "splash_screen": self._splash,
            "peer_disconnect": lambda _d: handlers.peer_disconnect(),
            "message_received": self._message,
            "role": self._role,
        }

    def handle(self, event: Event) -> bool:
        """Act on `event`; False when it is not one of these events."""
        action = self._table.get(event.name)
        if action is None:
            return False
        action(event.data)
        return True

    def _refer(self, data: Any) -> None:
        obj = _object(data, "refer")
        self._handlers.refer(Refer(alias=_text(obj, "alias"), token=_text(obj, "token")))

    @staticmethod
    def _move(data: Any, name: str) -> BreakoutMove:
        obj = _object(data, name)
        return BreakoutMove(
            breakout_uuid=_text(obj, "breakout_uuid"),
            participant_uuid=_text(obj, "participant_uuid", required=False),
            name=_text(obj, "breakout_name", required=False),
        )

    def _on_hold(self, data: Any) -> None:
        obj = _object(data, "on_hold")
        self._handlers.on_hold(_flag(obj.get("setting")))

    def _splash(self, data: Any) -> None:
        if data is None or data == {}:
            self._handlers.splash_screen(None)
            return
        obj = _object(data, "splash_screen")
        key = obj.get("screen_key")
        if key is None:
            self._handlers.splash_screen(None)
            return
        duration = obj.get("display_duration")
        seconds: float | None = None
        if duration is not None:
            if isinstance(duration, bool) or not isinstance(duration, (int, float)):
                raise ValueError("'display_duration' is not a number")
            if not math.isfinite(duration) or duration < 0:
                raise ValueError("'display_duration' is not a sensible number")
            seconds = float(duration) or None
        self._handlers.splash_screen(SplashRequest(key=_text(obj, "screen_key"),
                                                   duration=seconds))

    def _message(self, data: Any) -> None:
        obj = _object(data, "message_received")
        kind = obj.get("type", "text/plain")
        if kind != "text/plain":
            return  # application/json messages are for apps, not for people
        self._handlers.message(ReceivedMessage(
            sender=_text(obj, "origin", required=False),
            sender_uuid=_text(obj, "uuid", required=False),
            text=_text(obj, "payload"),
            direct=bool(obj.get("direct", False)),
        ))

    def _role(self, data: Any) -> None:
        obj = _object(data, "role")
        value = _text(obj, "role").upper()
        if value not in ("HOST", "GUEST", "CHAIR"):
            raise ValueError("'role' is not HOST or GUEST")
        self._handlers.role(Role.parse(value))
