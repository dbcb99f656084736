"""The benches' measuring harness: interleaved runs, whole process trees read from /proc, JSON.

Every bench measures the thing under test from OUTSIDE, in the same way for
the kiosk and for Chromium:

- CPU: user+system time of the subject's whole process tree (every process
  whose parent chain leads to the subject's pid, with the time of children it
  already reaped), from `/proc/<pid>/stat`, over a window of wall time, as a
  percentage of one core.
- Memory: PSS (proportional set size: shared pages divided among their users),
  summed over the tree from `/proc/<pid>/smaps_rollup`, sampled twice a second;
  the peak is reported.
- Frame rates: the subject's counters read at both ends of the window, with the
  far end's decoded fps among them. A run in which any fps figure is under
  `MIN_VALID_FPS`, or the picture sent is smaller than asked for, is INVALID:
  its figures are shown but never summarised as the result.
- The machine's other load in the same window: all CPU time in `/proc/stat`
  minus the subject's tree and the bench's own rig (the simulator, a driver),
  so a run on a busy machine is visible as such.

`run_interleaved` runs contenders in turn (kiosk, Chromium, kiosk, ...) so
that a change in the machine's load hits both alike; `summarise` gives
min/median/max over the valid runs.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

MIN_VALID_FPS = 28.0
SAMPLE_SECONDS = 0.5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


# ------------------------------------------------------------------ /proc readings


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return text[text.rindex(")") + 2:].split()


def _parents() -> dict[int, int]:
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    return parents


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pid: int, with_children: bool = True) -> float:
    """User+system seconds of one process (all threads), plus its reaped children's."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def tree_cpu_seconds(roots: Sequence[int]) -> float:
    """CPU seconds of every process in the trees of `roots` (each counted once)."""
    pids = {pid for root in roots for pid in tree_pids(root)}
    return sum(cpu_seconds(pid) for pid in pids)


def pss_mb(pid: int) -> float:
    """PSS of one process in MB, from smaps_rollup."""
    try:
        rollup = (PROC / str(pid) / "smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0.0
    kilobytes = sum(int(line.split()[1]) for line in rollup.splitlines()
                    if line.startswith("Pss:"))
    return kilobytes / 1024


def tree_pss_mb(roots: Sequence[int]) -> float:
    """PSS of the whole trees of `roots`, in MB."""
    pids = {pid for root in roots for pid in tree_pids(root)}
    return sum(pss_mb(pid) for pid in pids)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores; not idle, not iowait)."""
    fields = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user..steal, minus idle and iowait
    return busy / CLOCK_TICKS


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(float(v), 2) for v in (PROC / "loadavg").read_text().split()[:3]]


# ------------------------------------------------------------------ subjects


@dataclass(frozen=True)
class Counters:
    """What a subject says of its media at one moment (monotonic counts)."""

    far_end_decoded_frames: int | None = None  # the other side decoded of our picture
    decoded_frames: int | None = None  # we decoded of the other side's picture
    shown_frames: int | None = None  # drawn on screen (UI only)
    sent_frames: int | None = None  # handed to our encoder (a far end short of them: why)
    sent_resolution: tuple[int, int] | None = None
    received_resolution: tuple[int, int] | None = None
    video_bytes_sent: int | None = None  # for the sent video bit rate over the window
    extra: Mapping[str, Any] = field(default_factory=dict)


class Subject(Protocol):
    """A running thing under test."""

    @property
    def pid(self) -> int:
        """The root of its process tree."""
        ...

    @property
    def rig_pids(self) -> Sequence[int]:
        """Processes that serve the bench (simulator, driver): not the subject, not 'other'."""
        ...

    def counters(self) -> Counters:
        """Its media counters now."""
        ...


@dataclass(frozen=True)
class Contender:
    """A named way to start a subject (a context manager that stops it at the end)."""

    name: str
    start: Callable[[], contextlib.AbstractContextManager[Subject]]


@dataclass(frozen=True)
class Expectations:
    """What a valid run must show."""

    fps: bool = True  # every fps figure >= MIN_VALID_FPS
    sent_size: tuple[int, int] | None = None  # the picture sent is at least this big


# ------------------------------------------------------------------ measuring


def measure_window(subject: Subject, seconds: float,
                   expect: Expectations = Expectations(),
                   until: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Measure `subject` for `seconds` of wall time (or until `until()` is true, at most
    `seconds`); one run's figures and validity."""
    roots = [subject.pid]
    rig = list(subject.rig_pids)
    own_before = cpu_seconds(os.getpid(), with_children=False)
    counters_before = subject.counters()
    cpu_before, rig_before = tree_cpu_seconds(roots), tree_cpu_seconds(rig)
    machine_before, started = machine_busy_seconds(), time.monotonic()
    peak_pss = tree_pss_mb(roots)
    while (left := started + seconds - time.monotonic()) > 0:
        time.sleep(min(SAMPLE_SECONDS if until is None else 0.05, left))
        if until is not None and until():
            break
        peak_pss = max(peak_pss, tree_pss_mb(roots))
    wall = time.monotonic() - started
    cpu = tree_cpu_seconds(roots) - cpu_before
    rig_cpu = tree_cpu_seconds(rig) - rig_before
    machine = machine_busy_seconds() - machine_before
    own = cpu_seconds(os.getpid(), with_children=False) - own_before
    counters_after = subject.counters()
    result: dict[str, Any] = {
        "seconds": round(wall, 1),
        "cpu_percent": round(100 * cpu / wall, 1),
        "pss_mb": round(peak_pss, 1),
        "rig_cpu_percent": round(100 * (rig_cpu + own) / wall, 1),
        # Everything else the machine ran meanwhile (other engineers, other tests).
        "other_load_percent": round(max(0.0, 100 * (machine - cpu - rig_cpu - own) / wall), 1),
        "machine_cores": os.cpu_count(),
    }
    result.update(_rates(counters_before, counters_after, wall))
    problems = _problems(result, counters_after, expect)
    result["valid"] = not problems
    if problems:
        result["invalid_because"] = problems
    return result


def _rates(before: Counters, after: Counters, wall: float) -> dict[str, Any]:
    rates: dict[str, Any] = {}
    for name in ("far_end_decoded_frames", "decoded_frames", "shown_frames", "sent_frames"):
        start, end = getattr(before, name), getattr(after, name)
        if start is not None and end is not None:
            rates[name.replace("_frames", "_fps")] = round((end - start) / wall, 1)
    if before.video_bytes_sent is not None and after.video_bytes_sent is not None:
        rates["video_sent_kbps"] = round(
            8 * (after.video_bytes_sent - before.video_bytes_sent) / wall / 1000, 1)
    if after.sent_resolution:
        rates["sent_resolution"] = "x".join(map(str, after.sent_resolution))
    if after.received_resolution:
        rates["received_resolution"] = "x".join(map(str, after.received_resolution))
    rates.update(after.extra)
    return rates


def _problems(result: Mapping[str, Any], counters: Counters, expect: Expectations) -> list[str]:
    problems = []
    if expect.fps:
        for name in ("far_end_decoded_fps", "decoded_fps", "shown_fps"):
            if name in result and result[name] < MIN_VALID_FPS:
                problems.append(f"{name} {result[name]} < {MIN_VALID_FPS:g}")
    if expect.sent_size is not None:
        sent = counters.sent_resolution
        if sent is None or sent[0] < expect.sent_size[0] or sent[1] < expect.sent_size[1]:
            asked = "x".join(map(str, expect.sent_size))
            problems.append(f"sent {result.get('sent_resolution', 'nothing')}, not {asked}")
    return problems


def run_interleaved(contenders: Sequence[Contender], runs: int, seconds: float,
                    settle: float, expect: Expectations = Expectations(),
                    progress: Callable[[str], None] | None = None,
                    ) -> dict[str, list[dict[str, Any]]]:
    """`runs` rounds; in each, every contender is started, settled, measured, stopped."""
    results: dict[str, list[dict[str, Any]]] = {c.name: [] for c in contenders}
    for round_number in range(1, runs + 1):
        for contender in contenders:
            if progress is not None:
                progress(f"run {round_number}/{runs}: {contender.name}")
            with contender.start() as subject:
                time.sleep(settle)
                run = measure_window(subject, seconds, expect)
            run["run"] = round_number
            run["load_average"] = load_average()
            results[contender.name].append(run)
    return results


def summarise(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """min/median/max of every numeric figure over the VALID runs (None if there are none)."""
    valid = [r for r in runs if r.get("valid", True)]
    summary: dict[str, Any] = {"runs": len(runs), "valid_runs": len(valid)}
    if not valid:
        summary["result"] = None
        summary["note"] = "no valid run: the figures are not a result (see invalid_because)"
        return summary
    names = [k for k, v in valid[0].items()
             if isinstance(v, int | float) and not isinstance(v, bool)
             and k not in ("run", "seconds", "machine_cores")]
    for name in names:
        values = [r[name] for r in valid if isinstance(r.get(name), int | float)]
        summary[name] = {"min": min(values), "median": round(statistics.median(values), 2),
                         "max": max(values)}
    return summary


def ratio(kiosk: Mapping[str, Any], other: Mapping[str, Any], figure: str) -> float | None:
    """kiosk median / other median of `figure` (None unless both have valid runs)."""
    try:
        mine, theirs = kiosk[figure]["median"], other[figure]["median"]
    except (KeyError, TypeError):
        return None
    return round(mine / theirs, 2) if theirs else None


@contextlib.contextmanager
def machine_note() -> Iterator[dict[str, Any]]:
    """The machine's load averages at the start and end of a whole bench."""
    note: dict[str, Any] = {"cores": os.cpu_count(), "load_average_at_start": load_average()}
    try:
        yield note
    finally:
        note["load_average_at_end"] = load_average()
