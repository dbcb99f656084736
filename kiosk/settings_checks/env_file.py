"""Reading a `.env` file strictly, with python-dotenv's own parser.

`python-dotenv` skips a line it cannot parse with a warning and goes on; a
kiosk would then start without the setting the installer meant. Here any such
line stops the kiosk with the file, the line number and what is wrong (never
the line's text: it may hold a PIN). Values are then read with
`dotenv_values`, exactly as before (`${VAR}` expansion included).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import Binding, parse_stream

from kiosk.settings_checks.config_error import ConfigError
from kiosk.settings_checks.regular_file import FileRefused, read_regular_file

log = logging.getLogger(__name__)

MAX_ENV_FILE_BYTES = 1024 * 1024
_NEWLINES = re.compile(r"\r\n|\n|\r")
_LEADING_SPACE = re.compile(r"\s*")
_EXPORT = re.compile(r"export\s+")


@dataclass(frozen=True)
class EnvFile:
    """The settings of one `.env` file and the line each was set on."""

    values: dict[str, str]
    lines: dict[str, int]


def _line_of(binding: Binding) -> int:
    """The line where the binding's text starts (dotenv counts from the blank lines before it)."""
    original = binding.original
    leading = _LEADING_SPACE.match(original.string)
    skipped = leading.group(0) if leading else ""
    return original.line + len(_NEWLINES.findall(skipped))


def diagnose(text: str) -> str:
    """What is wrong with a line dotenv could not parse, in words (without quoting it)."""
    line = _NEWLINES.split(text.strip(), maxsplit=1)[0]
    line = _EXPORT.sub("", line, count=1)
    key, sep, value = line.partition("=")
    if not sep:
        return "is not KEY=value"
    if not key.strip():
        return "has no key before '='"
    if any(char.isspace() for char in key.strip()):
        return "has a space in its key (a key is one word, like KIOSK_CAMERA)"
    value = value.lstrip()
    if value[:1] in ("'", '"'):
        quote = value[0]
        if value.count(quote) - value.count("\\" + quote) < 2:
            return f"has a quote ({quote}) that is not closed"
        return "has text after the closing quote (put a # before a comment)"
    return "cannot be read as KEY=value by python-dotenv"


def parse_env_text(text: str, name: str) -> EnvFile:
    """Check every line of a `.env` text, then read its values; ConfigError(name, ...) if bad."""
    lines: dict[str, int] = {}
    for binding in parse_stream(io.StringIO(text)):
        line = _line_of(binding)
        if binding.error:
            raise ConfigError(name, f"line {line} {diagnose(binding.original.string)}")
        if binding.key is None:
            continue  # a comment or blank lines
        if binding.value is None:
            raise ConfigError(name, f"line {line} is not KEY=value")
        if _NEWLINES.search(binding.value):
            raise ConfigError(name, f"line {line}: the value of {binding.key} runs over several "
                                    "lines (a quote that is not closed?)")
        if binding.key in lines:
            log.warning("%s: %s is set on line %d and again on line %d; line %d wins",
                        name, binding.key, lines[binding.key], line, line)
        lines[binding.key] = line
    values = dotenv_values(stream=io.StringIO(text))
    return EnvFile({k: v for k, v in values.items() if v is not None}, lines)


def read_env_file(path: Path) -> EnvFile:
    """Read and check the `.env` file at `path` (a regular UTF-8 file of at most 1 MB)."""
    try:
        data = read_regular_file(path, MAX_ENV_FILE_BYTES)
    except FileRefused as exc:
        raise ConfigError(str(path), str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(str(path), "is not a UTF-8 text file") from None
    return parse_env_text(text, str(path))
