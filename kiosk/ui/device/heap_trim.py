"""Giving freed heap memory back to the system now and then (glibc's `malloc_trim`).

A call allocates and frees video-sized buffers in several threads (decoder, encoder,
camera, GL); glibc keeps the freed pages inside its arenas, so the process's
proportional set size (PSS) stays high long after the memory was freed. Measured in a
720p call with the UI (MALLOC_ARENA_MAX=2): one `malloc_trim(0)` took 3-8 ms and gave
back 33-36 MB. Other C libraries have no such call: then there is nothing to do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

HEAP_TRIM_SECONDS = 10.0  # how often the app trims (in a worker thread)


class HeapTrimmer:
    """Calls glibc's `malloc_trim(0)`: free pages in every arena go back to the system."""

    def __init__(self, trim: Callable[[int], int]) -> None:
        self._trim = trim
        self.trims = 0

    def trim(self) -> bool:
        """Trim now (blocking for a few ms; ctypes releases the GIL). True if memory was freed."""
        self.trims += 1
        return bool(self._trim(0))


def glibc_trimmer(library: str | None = None) -> HeapTrimmer | None:
    """A trimmer for this process's C library, or None if it is not glibc."""
    name = library or ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        log.debug("No malloc_trim in %s: heap trimming is off", name)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return HeapTrimmer(trim)
