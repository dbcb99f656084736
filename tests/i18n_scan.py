"""Finds room-visible text that bypasses the catalogue (used by tests/test_i18n_visible_text.py).

- kv files: a string literal with a letter in a `text:`-like property;
- UI modules: a string literal with a letter given as a visible property
  (`text=`, `.notice = ...`, ...), outside kiosk/ui/texts.py;
- the session and the media layer: a string literal with a letter published as a
  notice, passed as an error's sentence or a device's reason, or a module constant
  `*_NOTICE`/`*_MESSAGE` that is a bare str.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

VISIBLE_KV_PROPERTIES = ("text", "placeholder", "hint_text", "title", "notice", "message")
VISIBLE_NAMES = frozenset({"text", "title", "notice", "message", "placeholder", "countdown",
                           "hint_text", "label", "meeting_name", "node_text", "camera_text",
                           "participants_text", "room_name", "last_error", "reason_text"})
_KV_LINE = re.compile(rf"^\s*({'|'.join(VISIBLE_KV_PROPERTIES)})\s*:\s*(.+?)\s*$")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Finding:
    """One literal a person would see untranslated."""

    path: str
    line: int
    text: str


def _has_letters(value: object) -> bool:
    return isinstance(value, str) and bool(_LETTER.search(value))


def _literals(node: ast.AST) -> Iterator[ast.Constant]:
    """Literal text that would be shown: in f-strings, joins and conditionals, and the
    receiver of `"...".format(...)`; not the arguments of other calls (keys, names)."""
    if isinstance(node, ast.Constant):
        if _has_letters(node.value):
            yield node
        return
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            yield from _literals(node.func.value)
        return
    for child in ast.iter_child_nodes(node):
        yield from _literals(child)


def scan_kv(source: str, path: str = "<kv>") -> list[Finding]:
    """Literal text in visible properties of a kv file (kv values are Python expressions)."""
    findings = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _KV_LINE.match(line)
        if match is None:
            continue
        try:
            tree = ast.parse(match.group(2), mode="eval")
        except SyntaxError:
            continue
        findings += [Finding(path, number, str(c.value)) for c in _literals(tree)]
    return findings


def _target_name(target: ast.expr) -> str:
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Name):
        return target.id
    return ""


def scan_ui_python(source: str, path: str = "<py>") -> list[Finding]:
    """Literal text given to a visible property in a UI module."""
    findings = []
    for node in ast.walk(ast.parse(source)):
        values: list[ast.AST] = []
        if isinstance(node, ast.Call):
            values += [kw.value for kw in node.keywords if kw.arg in VISIBLE_NAMES]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(_target_name(t) in VISIBLE_NAMES
                                              for t in targets):
                values.append(node.value)
        for value in values:
            findings += [Finding(path, c.lineno, str(c.value)) for c in _literals(value)]
    return findings


_SESSION_CALLS = frozenset({"SessionError", "PinRejected", "on_notice", "_on_notice",
                            "DeviceUnavailable", "DeviceStatus"})
# Calls whose first argument is a code or state, not a sentence.
_SENTENCE_SECOND = frozenset({"SessionError", "DeviceStatus"})


def scan_session_python(source: str, path: str = "<py>") -> list[Finding]:
    """Literal sentences the session would publish as they are (not as a Message)."""
    findings = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        values: list[ast.AST] = []
        if isinstance(node, ast.Call):
            values += [kw.value for kw in node.keywords if kw.arg in ("notice", "message")]
            name = _target_name(node.func)
            if name in _SESSION_CALLS:
                values += node.args[1:] if name in _SENTENCE_SECOND else node.args
        for value in values:
            findings += [Finding(path, c.lineno, str(c.value)) for c in _literals(value)]
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
            names = [_target_name(t) for t in node.targets]
            if any(n.endswith("_NOTICE") or n.endswith("_MESSAGE") for n in names):
                findings += [Finding(path, c.lineno, str(c.value)) for c in _literals(node.value)]
    return findings
