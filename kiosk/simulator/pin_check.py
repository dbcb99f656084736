"""The PIN rules of a room: which role a `pin` header earns, or which 403 it gets."""

from __future__ import annotations

import hmac

from kiosk.simulator.protocol_replies import NODE_VERSION, ApiError
from kiosk.simulator.rooms import PinRule, RoomConfig

GUEST_PIN = "none"
HOST = "HOST"
GUEST = "GUEST"


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def role_for_pin(room: RoomConfig, pin_header: str | None) -> str:
    """Return "HOST" or "GUEST" for the `pin` header sent, or raise the node's 403.

    No header: the PIN prompt object (`{"pin": "required", "guest_pin": ..., "version": ...}`).
    A whitespace-only or empty header means `none`. A wrong PIN: "Invalid PIN".
    `pin: none` where guests need a PIN of their own: the prompt again, as a
    real node does (clients treat that as an invalid PIN).
    """
    rule = room.pin_rule
    if rule is PinRule.NONE:
        return HOST
    prompt = {
        "pin": "required",
        "guest_pin": "none" if rule is PinRule.HOST_ONLY else "required",
        "version": dict(NODE_VERSION),
    }
    if pin_header is None:
        raise ApiError(403, prompt, status_text="success")
    pin = pin_header.strip() or GUEST_PIN
    if pin.lower() == GUEST_PIN:
        if rule is PinRule.HOST_ONLY:
            return GUEST
        raise ApiError(403, prompt, status_text="success")
    if room.host_pin and _same(pin, room.host_pin):
        return HOST
    if room.guest_pin and _same(pin, room.guest_pin):
        return GUEST
    raise ApiError(403, "Invalid PIN")
