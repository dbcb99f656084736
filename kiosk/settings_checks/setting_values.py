"""Every setting's value is one line of ordinary text of a sensible length.

A NUL byte, an escape sequence or a line break in a value is never what an
installer meant (a pasted binary, a broken quote) and would reach log lines,
HTTP headers and file names; a value of megabytes would be held and logged.
Both are refused at start. The value itself is never quoted: it may be a PIN.
"""

from __future__ import annotations

import unicodedata

from kiosk.settings_checks.config_error import ConfigError

MAX_VALUE_LENGTH = 4096
# Line and paragraph separators end a line for many tools even though they are not Cc.
LINE_SEPARATORS = frozenset({"\u2028", "\u2029", "\u0085"})


def first_control_character(value: str) -> str | None:
    """The first control character (or line separator) in `value`, or None."""
    for char in value:
        if char in LINE_SEPARATORS or unicodedata.category(char) == "Cc":
            return char
    return None


def check_value(key: str, value: str, origin: str) -> None:
    """Raise ConfigError when `value` has a control character or is too long.

    `origin` says where the value came from ("line 4 of .env", "the environment").
    """
    char = first_control_character(value)
    if char is not None:
        what = "a line break" if char in "\n\r" or char in LINE_SEPARATORS else (
            "a control character")
        raise ConfigError(key, f"has {what} (U+{ord(char):04X}) in its value ({origin}); "
                               "a setting is one line of text")
    if len(value) > MAX_VALUE_LENGTH:
        raise ConfigError(key, f"is {len(value)} characters long, at most {MAX_VALUE_LENGTH} "
                               f"are allowed ({origin})")
