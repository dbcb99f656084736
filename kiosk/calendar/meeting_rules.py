"""Custom meeting rules (`KIOSK_MEETING_RULES`): a TOML file of regex → alias rules.

Like Pexip One-Touch Join's meeting rules, each rule turns text found in an
invitation into an alias the node can dial, e.g. a company's nine-digit meeting
IDs into `123456789@vmr.example.com`::

    [[rule]]
    name = "acme-vmr"               # the rule shown on the admin screen: "custom:acme-vmr"
    match = '\\b(\\d{9})\\b'        # a Python regular expression, searched in the invitation
    alias = '\\1@vmr.example.com'   # what to dial: \\1 or \\g<name> insert what matched
    extension = ''                  # optional: a meeting number for a Virtual Reception

A bad file raises `MeetingRulesError`, one human line naming the file and the rule.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KNOWN_KEYS = frozenset({"name", "match", "alias", "extension"})
MAX_RULES = 200
# `\1`, `\g<1>`, `\g<name>` in a replacement template.
TEMPLATE_REFERENCE = re.compile(r"\\(?:(\d+)|g<([^>]*)>)")


class MeetingRulesError(ValueError):
    """The rules file is missing, not TOML, or has an impossible rule."""


@dataclass(frozen=True)
class MeetingRule:
    """One custom rule: where `pattern` matches, dial `alias` (and give `extension`)."""

    name: str
    pattern: re.Pattern[str]
    alias: str
    extension: str = ""

    def apply(self, text: str) -> tuple[str, str | None] | None:
        """(alias, extension or None) from the first match in `text`, or None."""
        found = self.pattern.search(text)
        if found is None:
            return None
        alias = found.expand(self.alias).strip()
        extension = found.expand(self.extension).strip() if self.extension else ""
        if not alias:
            return None
        return alias, (extension or None)


def load_meeting_rules(path: Path) -> tuple[MeetingRule, ...]:
    """Read and validate a rules file; raise MeetingRulesError with one clear line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MeetingRulesError(f"meeting rules {path}: does not exist") from None
    except UnicodeDecodeError:
        raise MeetingRulesError(f"meeting rules {path}: is not a UTF-8 text file") from None
    except OSError as exc:
        raise MeetingRulesError(f"meeting rules {path}: cannot be read ({exc.strerror})") from None
    return parse_meeting_rules(text, source=str(path))


def parse_meeting_rules(text: str, source: str = "<rules>") -> tuple[MeetingRule, ...]:
    """Validate the TOML text of a rules file (no `[[rule]]` at all is an error)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MeetingRulesError(f"meeting rules {source}: is not valid TOML ({exc})") from None
    unknown_tables = sorted(set(document) - {"rule"})
    if unknown_tables:
        raise MeetingRulesError(
            f"meeting rules {source}: unknown key {unknown_tables[0]!r} (rules are [[rule]])")
    tables = document.get("rule")
    if not isinstance(tables, list) or not tables:
        raise MeetingRulesError(f"meeting rules {source}: has no [[rule]] tables")
    if len(tables) > MAX_RULES:
        raise MeetingRulesError(f"meeting rules {source}: more than {MAX_RULES} rules")
    rules = tuple(_rule(source, index, table) for index, table in enumerate(tables, start=1))
    names = [rule.name for rule in rules]
    for name in names:
        if names.count(name) > 1:
            raise MeetingRulesError(f"meeting rules {source}: the name {name!r} is used twice")
    return rules


def _rule(source: str, index: int, table: Any) -> MeetingRule:
    where = f"meeting rules {source}: rule {index}"
    if not isinstance(table, Mapping):
        raise MeetingRulesError(f"{where}: is not a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise MeetingRulesError(f"{where}: unknown key {unknown[0]!r}")

    def text(key: str, required: bool) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise MeetingRulesError(f"{where}: {key!r} must be a non-empty string")
        return value.strip()

    name = text("name", required=True)
    where = f"{where} ({name!r})"
    try:
        pattern = re.compile(text("match", required=True))
    except re.error as exc:
        raise MeetingRulesError(f"{where}: 'match' is not a regular expression ({exc})") from None
    alias = text("alias", required=True)
    extension = text("extension", required=False)
    for key, template in (("alias", alias), ("extension", extension)):
        problem = _template_problem(pattern, template)
        if problem:
            raise MeetingRulesError(f"{where}: {key!r} {problem}")
    return MeetingRule(name=name, pattern=pattern, alias=alias, extension=extension)


def _template_problem(pattern: re.Pattern[str], template: str) -> str:
    """Why `template` cannot be expanded for `pattern` ("" when it can)."""
    for number, name in TEMPLATE_REFERENCE.findall(template):
        if number and int(number) > pattern.groups:
            return f"refers to group {number}, but 'match' has {pattern.groups}"
        if name and not (name.isdigit() and int(name) <= pattern.groups) and (
                name not in pattern.groupindex):
            return f"refers to group {name!r}, which 'match' does not have"
    return ""
