"""Frame-sized blocks get their own mapping (returned when freed) once the media factory exists."""

from __future__ import annotations

import ctypes

import pytest

from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.frame_memory import return_frame_buffers_when_freed

FRAME_BYTES = 640 * 360 * 3 // 2  # one yuv420p frame at 640x360


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


@pytest.fixture
def libc() -> ctypes.CDLL:
    library = ctypes.CDLL("libc.so.6")
    if not hasattr(library, "mallinfo2"):
        pytest.skip("not glibc >= 2.33")  # the device and this machine have it
    library.mallinfo2.restype = MallInfo2
    library.malloc.restype = ctypes.c_void_p
    library.malloc.argtypes = (ctypes.c_size_t,)
    library.free.argtypes = (ctypes.c_void_p,)
    return library


def test_freed_frame_buffers_do_not_stay_in_the_heap(libc: ctypes.CDLL) -> None:
    # Free a big block first: without the fix glibc then raises its mmap threshold (and its
    # trim threshold) past it, frame-sized blocks extend the heap and stay there once freed.
    libc.free(libc.malloc(8 * 1024 * 1024))
    AiortcMediaFactory(Settings())  # the media layer sets it up before any call
    before = libc.mallinfo2()

    blocks = [libc.malloc(FRAME_BYTES) for _ in range(32)]
    for block in blocks:
        ctypes.memset(block, 1, FRAME_BYTES)  # a decoder writes every byte
    for block in blocks:
        libc.free(block)
    after = libc.mallinfo2()

    # 32 frames are 11 MB: none of it may remain as heap obtained from the system.
    assert after.arena - before.arena < FRAME_BYTES * 32 // 4
    assert after.hblkhd <= before.hblkhd + FRAME_BYTES  # and no mapping is left behind
    assert return_frame_buffers_when_freed()  # idempotent
