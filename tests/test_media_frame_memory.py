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


def is_mmapped(address: int) -> bool:
    """glibc's chunk header (the size word before the block) marks a block of its own mapping
    with IS_MMAPPED (0x2); such a block is unmapped the moment it is freed."""
    return bool(ctypes.c_size_t.from_address(address - ctypes.sizeof(ctypes.c_size_t)).value
                & 0x2)


def test_a_freed_frame_buffer_goes_back_to_the_system(libc: ctypes.CDLL) -> None:
    # Free a big block first: without the fix glibc then raises its mmap threshold past it,
    # and frame-sized blocks come from the heap arenas (and stay there once freed).
    libc.free(libc.malloc(8 * 1024 * 1024))
    AiortcMediaFactory(Settings())  # the media layer sets it up before any call

    blocks = [libc.malloc(FRAME_BYTES) for _ in range(32)]
    try:
        # Each block checked itself: other threads of the test run allocate meanwhile.
        assert all(is_mmapped(block) for block in blocks)
    finally:
        for block in blocks:
            libc.free(block)
    small = libc.malloc(4096)
    assert not is_mmapped(small)  # ordinary objects still come from the arenas
    libc.free(small)
    assert return_frame_buffers_when_freed()  # idempotent
