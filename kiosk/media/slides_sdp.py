"""The SDP text edits of presentation receive: the slides m-line and the receive bandwidth.

Pexip's current clients receive a presentation in the main peer connection: a
second video m-section, receive-only, tagged `a=content:slides` by editing the
offer text. aiortc regenerates its own description from what it parsed and
drops attributes it does not know, so these edits are made on the text that
goes to the node, after aiortc has taken its description.

Bandwidth, as Pexip's web client (`@pexip/peer-connection`) does it: every
video m-line of the offer carries `b=AS:<bandwidth_in>`, so each of the two
streams may use up to the call's receive budget and the node, which knows the
call's total, divides it between people and slides while someone presents.
(Pexip's iOS SDK puts the line on the main video only; the node then sends
slides at its own default.)

Main audio and video are tagged `a=content:main`, as both of those clients do.

Every function takes SDP with CRLF or LF line ends and keeps what it found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SLIDES_ATTRIBUTE = "a=content:slides"
MAIN_ATTRIBUTE = "a=content:main"  # Pexip's web and iOS clients tag the main audio and video
SENDING_DIRECTIONS = frozenset({"sendonly", "sendrecv"})  # the node's side of an answer
DIRECTIONS = frozenset({"sendonly", "sendrecv", "recvonly", "inactive"})


@dataclass(frozen=True)
class MediaSection:
    """One m-section as text: its kind, port, mid, direction and whether it is slides."""

    kind: str
    port: int
    mid: str | None
    direction: str  # sendrecv when the section names none (RFC 4566 default)
    is_slides: bool
    bandwidth_as: int | None


def _split(sdp: str) -> tuple[list[str], str]:
    newline = "\r\n" if "\r\n" in sdp else "\n"
    lines = sdp.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines, newline


def _join(lines: list[str], newline: str) -> str:
    return newline.join(lines) + newline


def _sections(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line indexes of each m-section."""
    starts = [i for i, line in enumerate(lines) if line.startswith("m=")]
    return [(start, starts[n + 1] if n + 1 < len(starts) else len(lines))
            for n, start in enumerate(starts)]


def media_sections(sdp: str) -> list[MediaSection]:
    """The m-sections of `sdp`, in order."""
    lines, _ = _split(sdp)
    found = []
    for start, end in _sections(lines):
        fields = lines[start][2:].split()
        kind = fields[0] if fields else ""
        try:
            port = int(fields[1]) if len(fields) > 1 else 0
        except ValueError:
            port = 0
        mid = None
        direction = "sendrecv"
        bandwidth = None
        slides = False
        for line in lines[start + 1:end]:
            if line.startswith("a=mid:"):
                mid = line[len("a=mid:"):].strip()
            elif line.startswith("a=") and line[2:].strip() in DIRECTIONS:
                direction = line[2:].strip()
            elif line.strip() == SLIDES_ATTRIBUTE:
                slides = True
            elif line.startswith("b=AS:"):
                try:
                    bandwidth = int(line[len("b=AS:"):].strip())
                except ValueError:
                    bandwidth = None
        found.append(MediaSection(kind, port, mid, direction, slides, bandwidth))
    return found


def mark_slides(sdp: str, slides_mid: str | None, bandwidth_in_kbps: int | None = None,
                main_mids: Sequence[str] = ()) -> str:
    """The offer text with `a=content:slides` in the section of `slides_mid` (None: no slides
    section), `a=content:main` in those of `main_mids` and, with a receive budget,
    `b=AS:<kbps>` in every video section without one."""
    lines, newline = _split(sdp)
    out = list(lines)
    # From the last section back, so inserting lines keeps the earlier indexes valid.
    for start, end in reversed(_sections(lines)):
        section = lines[start:end]
        kind = section[0][2:].split()[0] if len(section[0]) > 2 else ""
        if kind not in ("audio", "video"):
            continue
        inserts: list[tuple[int, str]] = []
        mid_line = next((i for i, line in enumerate(section) if line.startswith("a=mid:")), None)
        mid = section[mid_line][len("a=mid:"):].strip() if mid_line is not None else None
        tagged = any(line.startswith("a=content:") for line in section)
        if mid_line is not None and not tagged:
            if slides_mid is not None and mid == slides_mid:
                inserts.append((mid_line + 1, SLIDES_ATTRIBUTE))
            elif mid in main_mids:
                inserts.append((mid_line + 1, MAIN_ATTRIBUTE))
        if (kind == "video" and bandwidth_in_kbps
                and not any(line.startswith("b=AS:") for line in section)):
            # b= lines follow the c= line (RFC 4566 order: i, c, b, k, a).
            after = next((i + 1 for i, line in enumerate(section) if line.startswith("c=")), 1)
            inserts.append((after, f"b=AS:{int(bandwidth_in_kbps)}"))
        for index, line in sorted(inserts, reverse=True):
            out.insert(start + index, line)
    return _join(out, newline)


def slides_mid(sdp: str) -> str | None:
    """The mid of the section tagged `a=content:slides` (an offer read by a node), or None."""
    for section in media_sections(sdp):
        if section.kind == "video" and section.is_slides:
            return section.mid
    return None


def slides_answered(answer_sdp: str, mid: str) -> bool:
    """True when the node's answer accepts the slides section `mid` and will send on it.

    An older node rejects it (port 0) or leaves it `inactive`/`recvonly`: the client
    then falls back to the presentation JPEGs.
    """
    for section in media_sections(answer_sdp):
        if section.mid == mid:
            return section.port != 0 and section.direction in SENDING_DIRECTIONS
    return False


def tag_answer_slides(answer_sdp: str, mid: str) -> str:
    """The answer text with `a=content:slides` in the section of `mid` (the node's side)."""
    return mark_slides(answer_sdp, mid)


def bandwidth_for(sdp: str, mid: str | None) -> int | None:
    """The `b=AS` kbit/s of the section `mid`, or None when it has none."""
    for section in media_sections(sdp):
        if section.mid == mid:
            return section.bandwidth_as
    return None
