"""The text of an invitation where meeting addresses hide: conference properties, URL,
LOCATION, DESCRIPTION and its HTML twin, as plain text.

HTML (Outlook's X-ALT-DESC, Google's DESCRIPTION) is turned into text with the
standard library's tolerant `html.parser`; a link's target is kept next to its
words ("Join the meeting now <https://teams.microsoft.com/...>"), as Outlook's
own plain-text version does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

# Highest trust first: properties that exist only to carry the meeting's address.
CONFERENCE_PROPERTIES = (
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-GOOGLE-CONFERENCE",
    "CONFERENCE",
)
TEXT_PROPERTIES = ("URL", "LOCATION", "DESCRIPTION")
HTML_PROPERTY = "X-ALT-DESC"
MAX_FIELD_CHARS = 64 * 1024  # a longer field is read up to here (hostile feeds)
LOOKS_LIKE_HTML = re.compile(r"<(?:br|p|a|div|span|html|table)\b|</\w+>", re.IGNORECASE)
BLOCK_TAGS = frozenset({"br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "h4", "hr"})
SKIPPED_TAGS = frozenset({"style", "script", "head", "title"})
BLANK_LINES = re.compile(r"[ \t\u00a0]*\n[\s\u00a0]*\n\s*")


class _TextExtractor(HTMLParser):
    """Collects the visible text of HTML, with each link's target after its words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skip += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a":
            self._links.append(next((v or "" for k, v in attrs if k == "href"), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._links:
            href = self._links.pop()
            if href and not href.lower().startswith("mailto:"):
                self.parts.append(f" <{href}> ")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of `html`, links' targets kept; never raises."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except (ValueError, AssertionError):  # html.parser's only complaints about broken input
        pass
    return BLANK_LINES.sub("\n", "".join(extractor.parts)).strip()


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_plain(v) for v in value)
    text = str(value)[:MAX_FIELD_CHARS]
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Invitation:
    """The invitation's texts, most trusted first, as (property name, plain text)."""

    fields: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """Everything, one field after another."""
        return "\n".join(text for _, text in self.fields)

    @classmethod
    def from_component(cls, component: Any) -> Invitation:
        """The texts of an `icalendar` VEVENT (any of its properties may be missing)."""
        fields: list[tuple[str, str]] = []
        for name in (*CONFERENCE_PROPERTIES, *TEXT_PROPERTIES, HTML_PROPERTY):
            value = component.get(name)
            if value is None:
                continue
            text = _plain(value)
            if name == HTML_PROPERTY or LOOKS_LIKE_HTML.search(text):
                text = html_to_text(text)
            if text.strip():
                fields.append((name, text))
        return cls(tuple(fields))

    @classmethod
    def from_text(cls, description: str = "", location: str = "", url: str = "") -> Invitation:
        """An invitation made of plain texts (the agenda of a CalDAV server, tests)."""
        fields = [(name, _plain(text)) for name, text in
                  (("URL", url), ("LOCATION", location), ("DESCRIPTION", description)) if text]
        return cls(tuple(fields))
