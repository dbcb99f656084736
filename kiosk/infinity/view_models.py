"""Protocol shapes of what the room sees: presentations, layouts, who speaks, live captions.

From Pexip's published schemas (`@pexip/infinity-api` 20: `available_layouts`,
`layout_svgs`, `transform_layout`, `show_live_captions`) and the Android/iOS
SDKs (`presentation_start` {`presenter_name`, `presenter_uuid`}). Every `parse`
raises `ProtocolError` on a wrong shape and ignores unknown fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.infinity.errors import ProtocolError

MAX_LAYOUTS = 64
MAX_SVG_CHARACTERS = 64 * 1024  # a thumbnail; anything bigger is not drawn
MAX_CAPTION_CHARACTERS = 2000


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class PresentationStart:
    """`presentation_start`: who presents (all empty: the presentation was revoked)."""

    presenter_name: str = ""
    presenter_uuid: str = ""
    presenter_uri: str = ""

    @property
    def revoked(self) -> bool:
        """All fields empty: the node took the floor away, nobody presents."""
        return not (self.presenter_name or self.presenter_uuid or self.presenter_uri)

    @classmethod
    def parse(cls, data: Any) -> PresentationStart:
        """Parse the event data (None or an empty object: revoked)."""
        if data is None:
            return cls()
        obj = _mapping(data, "presentation_start")
        return cls(
            presenter_name=_text(obj.get("presenter_name")).strip(),
            presenter_uuid=_text(obj.get("presenter_uuid")).strip(),
            presenter_uri=_text(obj.get("presenter_uri")).strip(),
        )


@dataclass(frozen=True)
class LayoutEvent:
    """`layout`: the layout the meeting shows now (hosts' and guests' when they differ)."""

    view: str = ""
    chair_layout: str = ""
    guest_layout: str = ""
    overlay_text_enabled: bool | None = None

    @property
    def layout(self) -> str:
        """The layout a host room sees: the requested host layout, else the view."""
        return self.chair_layout or self.view

    @classmethod
    def parse(cls, data: Any) -> LayoutEvent:
        """Parse the event data; `requested_layout` may be missing (older nodes)."""
        obj = _mapping(data, "layout")
        requested = obj.get("requested_layout")
        primary: Mapping[str, Any] = {}
        if isinstance(requested, Mapping):
            screen = requested.get("primary_screen")
            primary = screen if isinstance(screen, Mapping) else requested
        overlay = obj.get("overlay_text_enabled")
        return cls(
            view=_text(obj.get("view")),
            chair_layout=_text(primary.get("chair_layout")),
            guest_layout=_text(primary.get("guest_layout")),
            overlay_text_enabled=overlay if isinstance(overlay, bool) else None,
        )


@dataclass(frozen=True)
class StageEntry:
    """One participant of a `stage` event: `vad` non-zero while they speak."""

    participant_uuid: str
    vad: int = 0
    stage_index: int = 0

    @property
    def speaking(self) -> bool:
        """Voice activity detected."""
        return self.vad > 0


def parse_stage(data: Any) -> tuple[StageEntry, ...]:
    """The `stage` event: a list of {participant_uuid, vad, stage_index}; bad items skipped."""
    if not isinstance(data, list):
        raise ProtocolError("stage: expected a list")
    entries = []
    for item in data:
        if not isinstance(item, Mapping) or not isinstance(item.get("participant_uuid"), str):
            continue
        vad = item.get("vad", 0)
        index = item.get("stage_index", len(entries))
        entries.append(StageEntry(
            participant_uuid=item["participant_uuid"],
            vad=int(vad) if isinstance(vad, (int, float)) and not isinstance(vad, bool) else 0,
            stage_index=int(index) if isinstance(index, int) and not isinstance(index, bool)
            else len(entries),
        ))
    return tuple(sorted(entries, key=lambda e: e.stage_index))


@dataclass(frozen=True)
class LiveCaption:
    """`live_captions`: a piece of transcript; partial (`is_final` false) until final."""

    data: str
    is_final: bool
    sent_time: float | None = None

    @classmethod
    def parse(cls, data: Any) -> LiveCaption:
        """Parse the event data."""
        obj = _mapping(data, "live_captions")
        text = obj.get("data")
        if not isinstance(text, str):
            raise ProtocolError("live_captions: 'data' is not a string")
        sent = obj.get("sent_time")
        return cls(
            data=" ".join(text.split())[:MAX_CAPTION_CHARACTERS],
            is_final=obj.get("is_final") is True,
            sent_time=float(sent) if isinstance(sent, (int, float))
            and not isinstance(sent, bool) else None,
        )


def parse_available_layouts(result: Any) -> tuple[str, ...]:
    """`available_layouts`: layout ids, as strings or {name, tags} objects (both in the schema)."""
    if not isinstance(result, list):
        raise ProtocolError("available_layouts: expected a list")
    layouts: list[str] = []
    for item in result:
        name = item if isinstance(item, str) else (
            item.get("name") if isinstance(item, Mapping) else None)
        if isinstance(name, str) and name.strip() and name.strip() not in layouts:
            layouts.append(name.strip())
    return tuple(layouts[:MAX_LAYOUTS])


def parse_layout_svgs(result: Any) -> dict[str, str]:
    """`layout_svgs`: layout id -> SVG text; entries that are not SVG text are left out."""
    obj = _mapping(result, "layout_svgs")
    svgs: dict[str, str] = {}
    for key, value in obj.items():
        if (isinstance(key, str) and isinstance(value, str) and "<svg" in value
                and len(value) <= MAX_SVG_CHARACTERS):
            svgs[key] = value
        if len(svgs) >= MAX_LAYOUTS:
            break
    return svgs
