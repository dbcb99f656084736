"""Video frame buffers go back to the system as soon as they are freed.

Measured on a call (bench/soak.py, and mallinfo2 over 25 minutes): the live
heap stays flat, yet RSS climbs in steps of ~13 MB, because every decoded or
captured 640x360 frame is a 345 KB buffer (1.4 MB at 720p) and glibc's malloc
keeps freed ones. Its mmap threshold starts at 128 KiB but rises to the size
of the largest block freed (up to 32 MiB), so after the first frame every frame
buffer comes from the heap arenas; when the event loop stalls for a moment,
decoded frames pile up (aiortc queues them without bound), and once they are
freed the arenas keep the holes (they sit below live blocks: no trim). Fixing
the thresholds (`mallopt(M_MMAP_THRESHOLD)` and `M_TRIM_THRESHOLD`, which also
stops their dynamic rise; the trim threshold had risen with the mmap one, so
free memory at the top of a heap was no longer given back) makes a frame buffer
that does not fit a hole its own mapping, unmapped the moment the frame is
freed: with it RSS stays flat under the same load.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
FRAME_BUFFER_THRESHOLD = 128 * 1024  # below the smallest video frame, above ordinary objects
TRIM_THRESHOLD = 1024 * 1024  # free memory above this at a heap's top goes back to the system


def return_frame_buffers_when_freed() -> bool:
    """Give every block of 128 KiB or more its own mapping (glibc); False where not possible.

    Process-wide and idempotent; called by the media factory before any call.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl, macOS): their allocators return large blocks already
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, FRAME_BUFFER_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if not done:
        log.debug("mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD) was refused")
        return False
    malloc_trim = getattr(libc, "malloc_trim", None)
    if malloc_trim is not None:
        malloc_trim.argtypes = (ctypes.c_size_t,)
        malloc_trim(0)  # what start-up freed while the thresholds were raised
    return True
