"""Reading a file a setting names: a regular file only, bounded, never blocking.

A FIFO, a device or a directory given as a settings file must not hang the
kiosk at start (opening a FIFO for reading blocks until a writer appears): the
type is checked before opening, the file is opened non-blocking and checked
again on the open descriptor (it may have been swapped in between), and no
more than `max_bytes` are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

READ_CHUNK = 64 * 1024


class FileRefused(ValueError):
    """The file cannot be used; `str()` says why in a few words ("is a directory")."""


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def _size_text(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path`, at most `max_bytes`; FileRefused otherwise."""
    try:
        kind = _kind(os.stat(path).st_mode)
    except FileNotFoundError:
        raise FileRefused("does not exist") from None
    except OSError as exc:
        raise FileRefused(f"cannot be read ({exc.strerror or exc})") from None
    if kind is not None:
        raise FileRefused(f"is {kind}, not a regular file")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileRefused(f"cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise FileRefused(f"is {kind}, not a regular file")
        if info.st_size > max_bytes:
            raise FileRefused(f"is larger than {_size_text(max_bytes)}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, READ_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:  # it grew while being read
                raise FileRefused(f"is larger than {_size_text(max_bytes)}")
            chunks.append(chunk)
    except OSError as exc:
        raise FileRefused(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    return b"".join(chunks)
