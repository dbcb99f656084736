"""Call cost, no UI: CPU, PSS and frame rates of the kiosk in a call, measured from /proc.

The kiosk runs headless in a child process (`kiosk_child.py --mode call`: the
real session and aiortc media, test camera at `--size`, test tone, counting
speaker). The simulator runs in another process and sends what a real meeting
sends (`--far-end-video meeting`: 1280x720@30 testsrc2 at bandwidth_in,
pre-encoded, so the far end costs little). For each codec, `--runs` runs: the
frames each end decoded in the first 10 s of the call (`far_end_frames_first_10s`:
300 at a full 30 fps), then `--settle` seconds, then `--seconds` measured; every
run reads the kiosk's whole process tree from /proc (see `harness.py`); runs
under 28 fps at either end are invalid.

    .venv/bin/python bench/call_cost.py [--codecs VP8,H264] [--size 1280x720]
        [--camera test|mjpeg|yuyv|file:PATH] [--runs 3] [--seconds 20] [--settle 5]

Prints one JSON object: per codec, every run and min/median/max over the valid ones.
"""

from __future__ import annotations

import argparse
import json
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
from harness import Contender, Expectations, machine_note, run_interleaved, summarise
from kiosk_child import KioskSetup, kiosk_child

EARLY_SECONDS = 10.0  # frames each end decoded in the first 10 s: does a call start at 30 fps?


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, seconds=20.0, settle=5.0)
    parser.add_argument("--mode", choices=["call", "app"], default="call",
                        help="call: headless (default); app: the whole app on 800x480")
    args = parse_common(parser, argv)
    result: dict[str, Any] = {"benchmark": "call_cost", "mode": args.mode,
                              "size": args.size_text, "fps": args.fps, "camera": args.camera}
    with machine_note() as machine, meeting_simulator(args) as simulator:
        camera = camera_setting(args)
        result["far_end_video"] = args.far_end_video
        for codec in args.codecs:
            setup = KioskSetup(mode=args.mode, camera=camera, size=args.size, fps=args.fps,
                               codec=codec)
            contender = Contender(f"kiosk {args.mode} {codec}", lambda s=setup: kiosk_child(
                s, simulator, early_seconds=EARLY_SECONDS))
            runs = run_interleaved([contender], args.runs, args.seconds, args.settle,
                                   Expectations(sent_size=args.size), progress=args.progress)
            result[codec] = {"summary": summarise(runs[contender.name]),
                             "runs": runs[contender.name]}
    result["machine"] = machine
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
