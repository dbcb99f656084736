"""What the room shows of the meeting beyond its people: the presentation, the layout,
who is speaking and the live captions. Plain data, part of `SessionSnapshot.view`."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class PresentationSource(enum.Enum):
    """Where the slides of the current presentation come from."""

    NONE = "none"  # nobody presents (or KIOSK_PRESENTATION=off)
    STREAM = "stream"  # the slides m-line of the call
    JPEG = "jpeg"  # presentation images, one per slide change
    MAIN = "main"  # the node puts them into the main video


@dataclass(frozen=True)
class PresentationState:
    """Someone presents: who, and how the room receives it."""

    active: bool = False
    presenter_name: str = ""
    presenter_uuid: str = ""
    source: PresentationSource = PresentationSource.NONE
    started_at: float | None = None  # time.monotonic() of presentation_start


@dataclass(frozen=True)
class LayoutChoice:
    """The layouts a host room may pick, their thumbnails (SVG text) and the current one."""

    available: tuple[str, ...] = ()
    thumbnails: tuple[tuple[str, str], ...] = ()  # (layout id, SVG text)
    current: str = ""

    def thumbnail(self, layout: str) -> str:
        """The SVG text of `layout`, or ""."""
        return next((svg for key, svg in self.thumbnails if key == layout), "")


@dataclass(frozen=True)
class CaptionsState:
    """Live captions: offered by the meeting, turned on by the room, the two lines shown."""

    available: bool = False
    shown: bool = False
    lines: tuple[str, ...] = ()  # at most two: the previous sentence and the current one


@dataclass(frozen=True)
class MeetingView:
    """The presentation, layout, speaker and captions of the meeting."""

    presentation: PresentationState = field(default_factory=PresentationState)
    layouts: LayoutChoice = field(default_factory=LayoutChoice)
    captions: CaptionsState = field(default_factory=CaptionsState)
    speaker_name: str = ""
