"""Keep PINs and tokens out of every log line.

`RedactingFilter` replaces (1) every secret registered with `add_secret` (the
session registers each PIN and token; `InfinityClient(on_secret=...)` does it
as soon as they exist) and (2) anything that looks like a `token`/`pin` header,
JSON field or query parameter, with `***`, in the message, its arguments, the
exception text and the stack text. `configure_logging` attaches the filter to
the root logger's HANDLERS, so records from every logger (urllib3 included) are
redacted before any handler writes them.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections import OrderedDict
from typing import TextIO

__all__ = ("MASK", "RedactingFilter", "configure_logging", "remove_logging")

MASK = "***"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# `token: x`, `"pin": "x"`, `token=x`, `'token': 'x'`, `\"token\": \"x\"` (JSON in a string).
# The key must be a whole name: `refresh_token`, `guest_pin` and `token_expires` are left alone.
KEY_VALUE_PATTERN = re.compile(
    r"""(?<![\w-])(token|pin)(\\?["']?\s*[:=]\s*\\?["']?)(?!\*\*\*)([^\s"'\\,;&}\])]+)""",
    re.IGNORECASE,
)


class RedactingFilter(logging.Filter):
    """A logging filter that blanks registered secrets and token/pin patterns with `***`.

    Holds its own secrets (thread-safe). The most recent `max_secrets` are kept:
    a long meeting refreshes its token every minute, and old tokens are also
    caught by the token patterns.
    """

    def __init__(self, max_secrets: int = 256) -> None:
        super().__init__()
        self._max_secrets = max_secrets
        self._lock = threading.Lock()
        self._secrets: OrderedDict[str, None] = OrderedDict()
        self._secret_pattern: re.Pattern[str] | None = None

    def add_secret(self, value: str) -> None:
        """Register a value (PIN, token) that must never appear in a log record."""
        if not isinstance(value, str) or not value.strip():
            return
        with self._lock:
            self._secrets[value] = None
            self._secrets.move_to_end(value)
            while len(self._secrets) > self._max_secrets:
                self._secrets.popitem(last=False)
            self._secret_pattern = self._compile()

    def discard_secret(self, value: str) -> None:
        """Forget a registered value (no error if unknown)."""
        with self._lock:
            if self._secrets.pop(value, False) is None:
                self._secret_pattern = self._compile()

    def _compile(self) -> re.Pattern[str] | None:
        if not self._secrets:
            return None
        # Longest first, so that a secret containing another is blanked whole.
        ordered = sorted(self._secrets, key=len, reverse=True)
        return re.compile("|".join(re.escape(secret) for secret in ordered))

    def redact(self, text: str) -> str:
        """`text` with every secret and token/pin pattern replaced by `***`."""
        with self._lock:
            pattern = self._secret_pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        return KEY_VALUE_PATTERN.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place (message with its arguments, exception, stack); keep it."""
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep the raw text
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _KioskLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The kiosk's stream handler; knows its redactor so configure_logging is idempotent."""

    def __init__(self, stream: TextIO, redactor: RedactingFilter) -> None:
        super().__init__(stream)
        self.redactor = redactor
        self.addFilter(redactor)
        self.setFormatter(logging.Formatter(LOG_FORMAT))


def _level_number(level: str | int) -> int:
    if isinstance(level, int):
        return level
    number = logging.getLevelName(level.strip().upper())
    if not isinstance(number, int):
        raise ValueError(f"unknown log level {level!r}")
    return number


CHATTY_LIBRARIES = ("aioice", "aiortc")


def configure_logging(level: str | int = "INFO", stream: TextIO | None = None) -> RedactingFilter:
    """Log to `stream` (stderr) at `level` with redaction; returns the filter to feed secrets.

    The filter goes on the kiosk's handler and on every other handler of the
    root logger at the time of the call. Calling it again reuses the same
    handler and filter (only the level, and the stream if given, change).
    """
    number = _level_number(level)
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _KioskLogHandler)), None)
    if handler is None:
        handler = _KioskLogHandler(stream or sys.stderr, RedactingFilter())
        root.addHandler(handler)
    elif stream is not None:
        handler.setStream(stream)
    root.setLevel(number)
    # aioice logs every ICE check at INFO: useful when debugging, noise in a room's journal.
    for chatty in CHATTY_LIBRARIES:
        logging.getLogger(chatty).setLevel(logging.DEBUG if number <= logging.DEBUG
                                           else max(number, logging.WARNING))
    redactor = handler.redactor
    for other in root.handlers:
        if redactor not in other.filters:
            other.addFilter(redactor)
    return redactor


def remove_logging(redactor: RedactingFilter) -> None:
    """Undo `configure_logging`: remove the kiosk handler and the filter from root handlers."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _KioskLogHandler) and handler.redactor is redactor:
            root.removeHandler(handler)
        handler.removeFilter(redactor)
