"""The simulator's rooms: a TOML file of `[[room]]` tables, validated into `RoomConfig`s.

A bad file raises `RoomsFileError`, whose text is one human line naming the file,
the room and what is wrong. PINs never appear in that text or in a repr.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.asset_files import asset

DEMO_ROOMS_RESOURCE = "demo_rooms.toml"

_KNOWN_KEYS = frozenset(
    {
        "alias",
        "name",
        "host_pin",
        "guest_pin",
        "allow_guests",
        "extension",
        "hosts_present",
        "virtual_reception",
        "host_wait_timeout",
        "extension_prompt",
        "presenter_name",
        "present_after_join",
        "lobby_guests",
        "lobby_guests_after",
    }
)


class RoomsFileError(ValueError):
    """The rooms file is missing, not TOML, or describes an impossible room."""


class PinRule(enum.Enum):
    """Who needs a PIN to join a room."""

    NONE = "none"  # nobody: everyone joins as a host
    HOST_ONLY = "host_only"  # hosts enter a PIN, guests join with `pin: none`
    EVERYONE = "everyone"  # hosts and guests each have a PIN


class ExtensionPrompt(enum.Enum):
    """Which 403 shape a Virtual Reception asks for the meeting number with."""

    # {"conference_extension": "required", "conference_extension_type": "standard"}:
    # the shape of Pexip's published schema, what nodes send.
    REQUIRED = "required"
    # {"conference_extension": "standard"}: seen in Pexip's iOS SDK tests but in no
    # schema; only for a test room that checks the kiosk accepts it too.
    BARE = "bare"

    def reply(self) -> dict[str, str]:
        """The 403 `result` of this shape."""
        if self is ExtensionPrompt.BARE:
            return {"conference_extension": "standard"}
        return {"conference_extension": "required", "conference_extension_type": "standard"}

    @property
    def off_schema(self) -> str:
        """Why this prompt deviates from Pexip's schema on purpose ("" when it does not)."""
        if self is ExtensionPrompt.BARE:
            return "the bare Virtual Reception prompt of Pexip's iOS SDK tests (test rooms only)"
        return ""


@dataclass(frozen=True)
class RoomConfig:
    """One simulated Virtual Meeting Room (or Virtual Reception)."""

    alias: str
    name: str
    host_pin: str | None = field(default=None, repr=False)
    guest_pin: str | None = field(default=None, repr=False)
    allow_guests: bool = False
    extension: str | None = None
    hosts_present: bool = False
    virtual_reception: bool = False
    host_wait_timeout: float | None = None  # seconds a guest may wait for a host
    extension_prompt: ExtensionPrompt = ExtensionPrompt.REQUIRED  # virtual receptions only
    presenter_name: str | None = None  # a simulated host who presents...
    present_after_join: float | None = None  # ...this many seconds after a room joins
    # Simulated guests who arrive in the lobby `lobby_guests_after` s after a real host joins.
    lobby_guests: tuple[str, ...] = ()
    lobby_guests_after: float = 10.0

    @property
    def pin_rule(self) -> PinRule:
        """Which PIN prompt a client gets on its first try."""
        if not self.host_pin:
            return PinRule.NONE
        if self.guest_pin or not self.allow_guests:
            return PinRule.EVERYONE
        return PinRule.HOST_ONLY


def demo_rooms_path() -> Path:
    """The demo rooms (`assets/demo_rooms.toml`, shipped inside the package)."""
    return asset(DEMO_ROOMS_RESOURCE)


def load_demo_rooms() -> list[RoomConfig]:
    """The packaged demo rooms."""
    return load_rooms(demo_rooms_path())


def load_rooms(path: Path | str) -> list[RoomConfig]:
    """Read and validate a rooms file; raise RoomsFileError with one clear line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RoomsFileError(f"rooms file {path}: does not exist") from None
    except UnicodeDecodeError:
        raise RoomsFileError(f"rooms file {path}: is not a UTF-8 text file") from None
    except OSError as exc:
        raise RoomsFileError(f"rooms file {path}: cannot be read ({exc.strerror})") from None
    return parse_rooms(text, source=str(path))


def parse_rooms(text: str, source: str = "<rooms>") -> list[RoomConfig]:
    """Validate the TOML text of a rooms file."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoomsFileError(f"rooms file {source}: is not valid TOML ({exc})") from None
    tables = document.get("room")
    if not isinstance(tables, list) or not tables:
        raise RoomsFileError(f"rooms file {source}: has no [[room]] tables")
    rooms = [_room(source, index, table) for index, table in enumerate(tables, start=1)]
    _check_unique(source, rooms)
    return rooms


def _room(source: str, index: int, table: Any) -> RoomConfig:
    where = f"rooms file {source}: room {index}"
    if not isinstance(table, Mapping):
        raise RoomsFileError(f"{where}: is not a table")
    alias = table.get("alias")
    if not isinstance(alias, str) or not alias.strip():
        raise RoomsFileError(f"{where}: 'alias' must be a non-empty string")
    alias = alias.strip()
    where = f"{where} ({alias!r})"
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise RoomsFileError(f"{where}: unknown key {unknown[0]!r}")
    name = table.get("name", alias)
    if not isinstance(name, str) or not name.strip():
        raise RoomsFileError(f"{where}: 'name' must be a non-empty string")

    def flag(key: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise RoomsFileError(f"{where}: {key!r} must be true or false")
        return value

    def pin(key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        # Never echo the value: it is a secret.
        if not isinstance(value, str) or not value.isdigit() or not 1 <= len(value) <= 20:
            raise RoomsFileError(f"{where}: {key!r} must be a quoted string of 1 to 20 digits")
        return value

    extension = table.get("extension")
    if isinstance(extension, int) and not isinstance(extension, bool):
        extension = str(extension)
    if extension is not None and (not isinstance(extension, str) or not extension.isdigit()):
        raise RoomsFileError(f"{where}: 'extension' must be a number like \"1001\"")

    wait = table.get("host_wait_timeout")
    if wait is not None and (
        isinstance(wait, bool) or not isinstance(wait, (int, float)) or wait <= 0
    ):
        raise RoomsFileError(f"{where}: 'host_wait_timeout' must be a positive number of seconds")

    prompt = table.get("extension_prompt", ExtensionPrompt.REQUIRED.value)
    choices = [p.value for p in ExtensionPrompt]
    if prompt not in choices:
        raise RoomsFileError(f"{where}: 'extension_prompt' must be one of {choices}")

    presenter = table.get("presenter_name")
    if presenter is not None and (not isinstance(presenter, str) or not presenter.strip()):
        raise RoomsFileError(f"{where}: 'presenter_name' must be a non-empty string")
    present_after = table.get("present_after_join")
    if present_after is not None and (
        isinstance(present_after, bool) or not isinstance(present_after, (int, float))
        or present_after < 0
    ):
        raise RoomsFileError(f"{where}: 'present_after_join' must be a number of seconds")
    if (presenter is None) != (present_after is None):
        raise RoomsFileError(f"{where}: 'presenter_name' and 'present_after_join' go together")

    lobby = table.get("lobby_guests", [])
    if not isinstance(lobby, list) or not all(isinstance(n, str) and n.strip() for n in lobby):
        raise RoomsFileError(f"{where}: 'lobby_guests' must be a list of names")
    after = table.get("lobby_guests_after", 10.0)
    if isinstance(after, bool) or not isinstance(after, (int, float)) or after < 0:
        raise RoomsFileError(f"{where}: 'lobby_guests_after' must be a number of seconds")

    room = RoomConfig(
        alias=alias,
        name=name.strip(),
        host_pin=pin("host_pin"),
        guest_pin=pin("guest_pin"),
        allow_guests=flag("allow_guests"),
        extension=extension,
        hosts_present=flag("hosts_present"),
        virtual_reception=flag("virtual_reception"),
        host_wait_timeout=float(wait) if wait is not None else None,
        extension_prompt=ExtensionPrompt(prompt),
        presenter_name=presenter.strip() if presenter else None,
        present_after_join=float(present_after) if present_after is not None else None,
        lobby_guests=tuple(n.strip() for n in lobby),
        lobby_guests_after=float(after),
    )
    if room.guest_pin and not room.host_pin:
        raise RoomsFileError(f"{where}: 'guest_pin' needs a 'host_pin' too")
    if room.guest_pin and room.guest_pin == room.host_pin:
        raise RoomsFileError(f"{where}: 'guest_pin' must differ from 'host_pin'")
    if "extension_prompt" in table and not room.virtual_reception:
        raise RoomsFileError(f"{where}: 'extension_prompt' needs virtual_reception = true")
    if room.virtual_reception and (room.host_pin or room.extension or room.hosts_present):
        raise RoomsFileError(
            f"{where}: a virtual reception has no PIN, extension or hosts of its own"
        )
    return room


def _check_unique(source: str, rooms: Sequence[RoomConfig]) -> None:
    aliases: set[str] = set()
    extensions: set[str] = set()
    for room in rooms:
        key = room.alias.lower()
        if key in aliases:
            raise RoomsFileError(f"rooms file {source}: alias {room.alias!r} is used twice")
        aliases.add(key)
        if room.extension:
            if room.extension in extensions:
                raise RoomsFileError(
                    f"rooms file {source}: extension {room.extension!r} is used twice"
                )
            extensions.add(room.extension)
