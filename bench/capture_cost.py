"""Capture cost: what decoding a USB webcam's stream adds (the `file:` camera), from /proc.

A USB camera at 1280x720@30 sends MJPEG (or, slowly, raw YUYV 4:2:2): the
kiosk decodes every frame before it can encode it. Here a recorded stream
(`recorded_clips.py`: testsrc2 as MJPEG or YUYV in Matroska, made once and
cached) is played by the `file:` camera, decoded in its own thread as a V4L2
device would be. Runs interleave, each a fresh kiosk child (`kiosk_child.py`):

- `capture mjpeg` / `capture yuyv`: only the camera, every frame taken, nothing
  encoded: the decoding alone (fps = frames captured; under 28 is invalid).
- `call test` / `call mjpeg`: a headless call with the test pattern (no capture
  decoding) and with the MJPEG stream; the difference is what the capture adds
  to a call (the MJPEG frames are 4:2:2 and are also converted for the encoder).

    .venv/bin/python bench/capture_cost.py [--size 1280x720] [--codecs VP8] [--runs 3]
        [--seconds 20] [--settle 5]

Prints one JSON object.
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, seconds=20.0, settle=5.0)
    parser.set_defaults(codecs=["VP8"])
    args = parse_common(parser, argv)
    result: dict[str, Any] = {"benchmark": "capture_cost", "size": args.size_text,
                              "fps": args.fps, "far_end_video": args.far_end_video}
    with machine_note() as machine, meeting_simulator(args) as simulator:
        cameras = {kind: camera_setting(argparse.Namespace(**{**vars(args), "camera": kind}))
                   for kind in ("mjpeg", "yuyv")}
        for codec in args.codecs:
            def setup(mode: str, camera: str, codec: str = codec) -> KioskSetup:
                return KioskSetup(mode=mode, camera=camera, size=args.size, fps=args.fps,
                                  codec=codec)

            contenders = [
                Contender("capture mjpeg", lambda: kiosk_child(
                    setup("capture", cameras["mjpeg"]), simulator, "capture")),
                Contender("capture yuyv", lambda: kiosk_child(
                    setup("capture", cameras["yuyv"]), simulator, "capture")),
                Contender(f"call test {codec}", lambda: kiosk_child(
                    setup("call", "test"), simulator)),
                Contender(f"call mjpeg {codec}", lambda: kiosk_child(
                    setup("call", cameras["mjpeg"]), simulator)),
            ]
            runs = run_interleaved(contenders, args.runs, args.seconds, args.settle,
                                   Expectations(sent_size=args.size), progress=args.progress)
            per_codec = {name: {"summary": summarise(r), "runs": r} for name, r in runs.items()}
            try:
                added = round(per_codec[f"call mjpeg {codec}"]["summary"]["cpu_percent"]["median"]
                              - per_codec[f"call test {codec}"]["summary"]["cpu_percent"]["median"],
                              1)
            except (KeyError, TypeError):
                added = None  # a contender had no valid run
            per_codec["mjpeg_capture_adds_to_a_call_cpu_percent"] = added
            result[codec] = per_codec
    result["machine"] = machine
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
