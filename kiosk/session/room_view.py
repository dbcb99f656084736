"""What the session publishes about the meeting beyond its state: the roster, the host's
controls and the meeting's events (hold, splash screen, breakouts, messages).

Plain immutable data for the UI (and tests): no behaviour, no secrets. The roster
has its own batched feed (`RosterView`); the rest travels in the session snapshot
as one `MeetingView`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class RosterEntry:
    """One person (or room, or gateway call) in the roster, as the panel shows it."""

    uuid: str
    name: str
    is_host: bool
    is_self: bool
    waiting: bool  # in the lobby, waiting to be let in
    muted: bool
    video_muted: bool
    presenting: bool
    hand_raised: bool
    hand_raised_at: float = 0.0


@dataclass(frozen=True)
class RosterView:
    """The roster in display order: lobby first (oldest first), then this room, then hands
    raised (first raised first), then everyone else by name."""

    entries: tuple[RosterEntry, ...] = ()
    version: int = 0  # increases with every published change

    @property
    def waiting(self) -> tuple[RosterEntry, ...]:
        """The guests waiting in the lobby."""
        return tuple(e for e in self.entries if e.waiting)

    @property
    def in_meeting(self) -> tuple[RosterEntry, ...]:
        """Everyone in the meeting itself."""
        return tuple(e for e in self.entries if not e.waiting)

    @property
    def hands_raised(self) -> int:
        """How many in the meeting have a hand raised."""
        return sum(1 for e in self.entries if e.hand_raised and not e.waiting)

    def find(self, uuid: str) -> RosterEntry | None:
        """The entry with that uuid, if it is in the roster."""
        return next((e for e in self.entries if e.uuid == uuid), None)


class HostAction(enum.Enum):
    """The controls a room can use from its panel (host-only ones, the hand and help)."""

    ADMIT = "admit"
    ADMIT_ALL = "admit_all"
    LOCK = "lock"
    UNLOCK = "unlock"
    MUTE_GUESTS = "mute_guests"
    UNMUTE_GUESTS = "unmute_guests"
    MUTE = "mute"
    UNMUTE = "unmute"
    REMOVE = "remove"
    LOWER_ALL_HANDS = "lower_all_hands"
    RAISE_HAND = "raise_hand"
    LOWER_HAND = "lower_hand"
    ASK_FOR_HELP = "ask_for_help"


# Actions the node lets only a host make; the others every participant may.
HOST_ONLY_ACTIONS = frozenset(HostAction) - {
    HostAction.RAISE_HAND, HostAction.LOWER_HAND, HostAction.ASK_FOR_HELP,
}


class Outcome(enum.Enum):
    """How an action ended."""

    DONE = "done"
    REFUSED = "refused"  # the node said no (403 and friends): nothing changed
    FAILED = "failed"  # no answer / the node unreachable: nothing known to have changed
    NOT_ALLOWED = "not_allowed"  # refused locally: this room is not a host


@dataclass(frozen=True)
class ActionResult:
    """The result of one action, for a short confirmation or a human refusal on screen."""

    action: HostAction
    outcome: Outcome
    subject: str = ""  # the participant's name for actions on one participant
    number: int = 0  # increases with every action, so two equal results still show


@dataclass(frozen=True)
class ChatMessage:
    """A `message_received`: who sent it and what it says."""

    sender: str
    text: str
    direct: bool = False
    number: int = 0  # increases with every message


@dataclass(frozen=True)
class SplashScreen:
    """The node's theme screen shown instead of the meeting (`splash_screen`)."""

    key: str
    text: str = ""
    background: bytes = b""  # the image as the node sent it (PNG/JPEG); empty: none
    background_name: str = ""  # its file name (for the image decoder's type)


@dataclass(frozen=True)
class MeetingView:
    """The meeting's host-control state and its events, as the UI shows them."""

    locked: bool = False
    guests_muted: bool = False
    hand_raised: bool = False  # this room's own hand
    on_hold: bool = False
    splash: SplashScreen | None = None
    breakout_name: str = ""  # non-empty while the room is in a breakout room
    breakout_returned: bool = False  # the room came back from a breakout (until the next move)
    moving: bool = False  # the media is being moved (breakout, peer_disconnect)
    call_end_reason: str = ""  # the reason of the node's last `call_disconnected`
    last_result: ActionResult | None = None
    last_message: ChatMessage | None = None
