"""Keep PINs and tokens out of every log line.

`RedactingFilter` replaces (1) every secret registered with `add_secret` (the
session registers each PIN and token; `InfinityClient(on_secret=...)` does it
as soon as they exist; the session gives each token its lifetime and says when
a refresh superseded it, so a long meeting does not pile up dead tokens: see
`kiosk.known_secrets`) and (2) anything that looks like a `token`/`pin` header,
JSON field or query parameter, with `***`, in the message, its arguments, the
exception text and the stack text. `configure_logging` attaches the filter to
the root logger's HANDLERS, so records from every logger (urllib3 included) are
redacted before any handler writes them.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

from kiosk.known_secrets import DEFAULT_MAX_SECRETS, SUPERSEDED_GRACE, KnownSecrets

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

    Holds its own secrets (thread-safe, `KnownSecrets`): at most `max_secrets`,
    each until its lifetime is over (tokens) or it is discarded (PINs). All of them
    are matched in one scan of each message; the scanned set is rebuilt only when
    it changes.
    """

    def __init__(self, max_secrets: int = DEFAULT_MAX_SECRETS, secrets: KnownSecrets | None = None
                 ) -> None:
        super().__init__()
        self.known_secrets = secrets if secrets is not None else KnownSecrets(max_secrets)

    def add_secret(self, value: str, lifetime: float | None = None) -> None:
        """Register a value (PIN, token) that must never appear in a log record.

        `lifetime` (seconds): a token is dropped once it is over; None keeps it until
        `discard_secret` (or until `max_secrets` newer ones pushed it out).
        """
        self.known_secrets.add(value, lifetime)

    def supersede_secret(self, old: str, new: str, lifetime: float | None = None,
                         grace: float = SUPERSEDED_GRACE) -> None:
        """A refresh replaced token `old` by `new` (which lives `lifetime` seconds): `old`
        is still blanked for `grace` seconds (requests in flight), then dropped."""
        self.known_secrets.supersede(old, new, lifetime, grace)

    def discard_secret(self, value: str) -> None:
        """Forget a registered value (no error if unknown)."""
        self.known_secrets.discard(value)

    def redact(self, text: str) -> str:
        """`text` with every secret and token/pin pattern replaced by `***`."""
        for secret in self.known_secrets.current():
            if secret in text:
                text = text.replace(secret, MASK)
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
