"""What the whole kiosk app costs: start-up, idle on Home, and calls, measured from /proc.

The real app runs in a child process (`kiosk_child.py`) on an 800x480
offscreen window (SDL offscreen + Mesa software GL), against the simulator in
another process sending a real meeting's picture (1280x720@30 testsrc2 at
bandwidth_in). Every run is a fresh app process.

- startup: from the process's creation (interpreter, imports, window, fonts, kv)
  to the first frame drawn with Home on top; `--runs` cold starts.
- idle: the app on Home with nobody touching it; CPU and PSS of its tree.
- calls: for each camera size (`--sizes`, default 1280x720 and 640x360) and
  codec: joins `meet.open` by a tap, self-view shown; CPU and PSS of the whole
  app tree, the frames it decodes and draws, and the far end's decoded fps (a
  run under 28 fps anywhere, or sending less than the size, is invalid).

    .venv/bin/python bench/ui_cost.py [--sizes 1280x720,640x360] [--codecs VP8,H264]
        [--runs 3] [--seconds 20] [--settle 5] [--idle-seconds 10]

Goals (issue 9): start <= 1.0 s on a quiet machine; whole app in a 720p call <= 60 %
of a core, in a 640x360 call <= 45 %; PSS in a 720p call <= 235 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
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
    Contender,
    Expectations,
    load_average,
    machine_note,
    run_interleaved,
    summarise,
)
from kiosk_child import KioskSetup, kiosk_child, startup_seconds

GOALS = {
    "startup_seconds_max": 1.0,
    "call_1280x720_cpu_percent_max": 60.0,
    "call_640x360_cpu_percent_max": 45.0,
    "call_1280x720_pss_mb_max": 235.0,
}


def _sizes(text: str) -> list[tuple[int, int]]:
    try:
        return [tuple(int(v) for v in part.lower().split("x")) for part in text.split(",")]  # type: ignore[misc]
    except ValueError:
        raise argparse.ArgumentTypeError("--sizes: like 1280x720,640x360") from None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, seconds=20.0, settle=5.0)
    parser.add_argument("--sizes", type=_sizes, default=[(1280, 720), (640, 360)],
                        help="camera sizes of the calls (default 1280x720,640x360)")
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: "
                        "startup, idle, calls")
    args = parse_common(parser, argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    result: dict[str, Any] = {"benchmark": "ui_cost", "window": "800x480",
                              "far_end_video": args.far_end_video, "goals": GOALS}
    with machine_note() as machine, meeting_simulator(args) as simulator:
        if "startup" not in skip:
            starts = []
            for number in range(args.runs):
                if args.progress:
                    args.progress(f"start-up {number + 1}/{args.runs}")
                starts.append({"seconds": startup_seconds(simulator),
                               "load_average": load_average()})
            times = [s["seconds"] for s in starts if s["seconds"] is not None]
            result["startup"] = {
                "runs": starts,
                "seconds": {"min": min(times), "median": statistics.median(times),
                            "max": max(times)} if times else None,
            }
        if "idle" not in skip:
            idle = Contender("app idle on Home", lambda: kiosk_child(
                KioskSetup(mode="idle"), simulator))
            runs = run_interleaved([idle], args.runs, args.idle_seconds, args.settle,
                                   Expectations(fps=False), progress=args.progress)[idle.name]
            result["idle"] = {"summary": summarise(runs), "runs": runs}
        if "calls" not in skip:
            for width, height in args.sizes:
                size_args = argparse.Namespace(**{**vars(args), "size": (width, height)})
                camera = camera_setting(size_args)
                for codec in args.codecs:
                    setup = KioskSetup(mode="app", camera=camera, size=(width, height),
                                       fps=args.fps, codec=codec)
                    name = f"app call {width}x{height} {codec}"
                    contender = Contender(name, lambda s=setup: kiosk_child(s, simulator))
                    runs = run_interleaved([contender], args.runs, args.seconds, args.settle,
                                           Expectations(sent_size=(width, height)),
                                           progress=args.progress)[name]
                    result[name] = {"summary": summarise(runs), "runs": runs}
    result["machine"] = machine
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
