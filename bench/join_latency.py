"""Join latency: from the tap (open room) or the PIN (PIN room) to the first picture decoded.

The kiosk runs in a child process (`kiosk_child.py --mode joins`: the real
session and aiortc media, test camera at `--size`) against the simulator in
another process sending a real meeting's picture. Each run is a fresh child
that makes one untimed warm-up join, then `--joins` joins of the open room and
as many of the PIN room, and reports per join:

- open room:  `join()` called        -> first remote video frame decoded
- PIN room:   `submit_pin()` called  -> first remote video frame decoded

("decoded": the moment the frame reached the display mailbox.) The harness
reads the child's CPU and peak PSS from /proc over the run and the machine's
other load meanwhile. `--runs` runs; min/median/max of each run's median.

    .venv/bin/python bench/join_latency.py [--joins 20] [--runs 3] [--codecs VP8]

Prints one JSON object. Target: median <= 250 ms for both rooms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_setup import (
    add_common_arguments,
    camera_setting,
    meeting_simulator,
    parse_common,
)
from harness import (
    Counters,
    Expectations,
    load_average,
    machine_note,
    measure_window,
    summarise,
)
from kiosk_child import KioskSetup, child_command, child_environment

TARGET_MEDIAN_MS = 250.0
RUN_TIMEOUT = 600.0


def summarize(samples: Sequence[float]) -> dict[str, Any]:
    """Median, p95 (nearest rank), min and max in milliseconds."""
    ordered = sorted(samples)
    # Nearest rank: the ceil(0.95 n)-th sample (the 19th of 20), in integers so that float
    # rounding cannot turn p95 into the maximum.
    p95_index = (95 * len(ordered) + 99) // 100 - 1
    return {
        "joins": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[p95_index], 1),
        "min_ms": round(ordered[0], 1),
        "max_ms": round(ordered[-1], 1),
    }


class JoiningChild:
    """A kiosk child making its joins; a `harness.Subject` without media counters."""

    def __init__(self, process: subprocess.Popen[str], simulator_pid: int) -> None:
        self.process = process
        self._rig = [simulator_pid]

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def rig_pids(self) -> Sequence[int]:
        return self._rig


    def counters(self) -> Counters:
        return Counters()


def one_run(setup: KioskSetup, simulator: Any, joins: int) -> dict[str, Any]:
    """A fresh child making its joins, measured from /proc while it runs."""
    process = subprocess.Popen(child_command(setup, simulator, "joins", ["--joins", str(joins)]),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env=child_environment())
    assert process.stdout is not None and process.stdin is not None
    process.stdout.readline()  # ready: imports done, the joins begin
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()

    def finished() -> bool:
        return process.poll() is not None or any('"joins"' in line for line in lines)

    run = measure_window(JoiningChild(process, simulator.pid), RUN_TIMEOUT,
                         Expectations(fps=False), until=finished)
    process.stdin.close()  # the child exits once its CPU time has been read
    process.wait(timeout=60)
    reader.join(timeout=5)
    record = next((json.loads(line) for line in lines
                   if line.startswith("{") and '"joins"' in line), None)
    if process.returncode != 0 or record is None:
        run.update(valid=False, invalid_because=[f"the child failed ({process.returncode})"])
        return run
    open_room, pin_room = summarize(record["open_room_ms"]), summarize(record["pin_room_ms"])
    run.update(open_room_median_ms=open_room["median_ms"], open_room_p95_ms=open_room["p95_ms"],
               pin_room_median_ms=pin_room["median_ms"], pin_room_p95_ms=pin_room["p95_ms"],
               warm_up_join_ms=round(record["warm_up_ms"], 1), load_average=load_average())
    return run


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, seconds=RUN_TIMEOUT, settle=0.0)
    parser.add_argument("--joins", type=int, default=20, help="joins per room and run")
    args = parse_common(parser, argv)
    if args.joins < 1:
        parser.error("--joins must be at least 1")
    result: dict[str, Any] = {
        "benchmark": "join_latency",
        "measure": "join tapped (open room) / PIN submitted (PIN room) -> first remote "
                   "video frame decoded",
        "camera": f"{args.camera} {args.size_text}@{args.fps}",
        "far_end_video": args.far_end_video, "target_median_ms": TARGET_MEDIAN_MS,
    }
    with machine_note() as machine, meeting_simulator(args) as simulator:
        camera = camera_setting(args)
        for codec in args.codecs:
            setup = KioskSetup(camera=camera, size=args.size, fps=args.fps, codec=codec)
            runs = []
            for number in range(1, args.runs + 1):
                if args.progress:
                    args.progress(f"run {number}/{args.runs}: {codec}, {args.joins} joins a room")
                runs.append({**one_run(setup, simulator, args.joins), "run": number})
            summary = summarise(runs)
            medians = [summary.get(f"{room}_median_ms", {}).get("median")
                       for room in ("open_room", "pin_room")]
            summary["target_met"] = (None if None in medians
                                     else max(medians) <= TARGET_MEDIAN_MS)  # type: ignore[type-var]
            result[codec] = {"summary": summary, "runs": runs}
    result["machine"] = machine
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
