"""The benches' harness reads whole process trees from /proc and refuses starved runs."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from harness import (
    Counters,
    Expectations,
    measure_window,
    summarise,
    tree_cpu_seconds,
    tree_pids,
    tree_pss_mb,
)

# A parent that sleeps and a child that spins: the tree's CPU is the child's.
SPINNING_GRANDCHILD = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(60)\n"
)


@pytest.fixture
def spinning_tree() -> Iterator[tuple[int, int]]:
    parent = subprocess.Popen([sys.executable, "-c", SPINNING_GRANDCHILD],
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        yield parent.pid, child
    finally:
        subprocess.run(["kill", str(child)], check=False)
        parent.kill()
        parent.wait()


class TreeSubject:
    def __init__(self, pid: int, frames_per_second: float) -> None:
        self.pid = pid
        self.rig_pids: Sequence[int] = ()
        self._rate = frames_per_second
        self._started = time.monotonic()

    def counters(self) -> Counters:
        frames = int((time.monotonic() - self._started) * self._rate)
        return Counters(far_end_decoded_frames=frames, decoded_frames=frames,
                        sent_resolution=(1280, 720))


def test_the_whole_tree_is_measured(spinning_tree: tuple[int, int]) -> None:
    parent, child = spinning_tree
    assert set(tree_pids(parent)) >= {parent, child}
    before = tree_cpu_seconds([parent])
    time.sleep(1.0)
    # The spinning grandchild's time counts (at least a tenth of a core on a busy machine).
    assert tree_cpu_seconds([parent]) - before > 0.1
    assert tree_pss_mb([parent]) > 1.0


def test_a_run_under_28_fps_is_invalid_and_not_summarised(
    spinning_tree: tuple[int, int]
) -> None:
    parent, _ = spinning_tree
    good = measure_window(TreeSubject(parent, 30.0), 1.0, Expectations(sent_size=(1280, 720)))
    starved = measure_window(TreeSubject(parent, 19.0), 1.0)
    small = measure_window(TreeSubject(parent, 30.0), 0.5, Expectations(sent_size=(1920, 1080)))
    assert good["valid"] and good["cpu_percent"] > 10 and good["far_end_decoded_fps"] >= 28
    assert not starved["valid"] and "far_end_decoded_fps" in starved["invalid_because"][0]
    assert not small["valid"] and "not 1920x1080" in small["invalid_because"][0]
    assert {"other_load_percent", "rig_cpu_percent", "pss_mb"} <= set(good)
    summary = summarise([good, starved])
    assert summary["valid_runs"] == 1
    assert summary["cpu_percent"]["median"] == good["cpu_percent"]
    assert summarise([starved])["result"] is None
