"""What the room asks the session to join: an alias, and the answers it already has.

A meeting from settings is just an alias. A meeting from the calendar may also
know the meeting number a Virtual Reception will ask for, a PIN from its link,
and the node it lives on. The session uses each answer once, when the node asks
the question (so a wrong PIN still ends on the PIN screen, and a meeting whose PIN
the room does not have waits there); it never learns where the request came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class JoinRequest:
    """`alias` to dial; `extension`: the meeting number for a Virtual Reception; `pin`:
    sent when the node asks for one (never in a repr); `node`: the https address of the
    node to join on, None for the configured one."""

    alias: str
    extension: str | None = None
    pin: str | None = field(default=None, repr=False)
    node: str | None = None
