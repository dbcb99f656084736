"""glibc keeps freed heap pages; the app's periodic trim gives them back to the system.

Real allocations in a fresh interpreter: many heap-sized buffers (below glibc's mmap
threshold), every other one freed, so the free pages are scattered inside the heap
where glibc's own trimming (top of the heap only) cannot return them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ui.device.heap_trim import glibc_trimmer

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """
import json
from kiosk.ui.device.heap_trim import glibc_trimmer

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

blocks = [bytearray(b"x" * 100_000) for _ in range(1200)]  # ~120 MB, touched
kept = blocks[::2]
del blocks  # half freed, in between the kept ones
before = rss_kb()
trimmed = glibc_trimmer().trim()
print(json.dumps({"before": before, "after": rss_kb(), "trimmed": trimmed, "kept": len(kept)}))
"""


def test_no_trimmer_when_the_c_library_cannot_be_loaded(tmp_path: Path) -> None:
    assert glibc_trimmer(str(tmp_path / "libc-that-is-not-there.so")) is None


@pytest.mark.skipif(glibc_trimmer() is None, reason="the C library is not glibc")
def test_a_trim_returns_freed_heap_pages_to_the_system() -> None:
    child = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                           timeout=60, cwd=REPO, check=True)
    result = json.loads(child.stdout.splitlines()[-1])
    assert result["trimmed"] is True
    assert result["before"] - result["after"] > 30_000  # kB: most of the ~60 MB freed
