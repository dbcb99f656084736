"""The kiosk against Chromium: the same call size, codec and frame rate, runs interleaved.

For each codec, `--runs` rounds of: the kiosk (headless `call`, and/or the
whole `app` on an 800x480 screen, against the simulator sending a real
meeting's 1280x720 picture) and Debian's headless Chromium running one
endpoint's worth of a WebRTC call (`chromium_loopback.py`: its fake camera
plays the kiosk's own test picture at the same size and rate, held to the
same video bit rate; with `--camera yuyv` both play the recorded webcam clip,
whose detail and motion fill the bit rate as a room's real picture does).
Both are measured from /proc in the same way
(`harness.py`): CPU of the whole process tree, peak PSS, decoded fps (a run
under 28 fps, or sending a smaller picture, is invalid), and the machine's
other load in the same window.

    .venv/bin/python bench/vs_chromium.py [--codecs VP8,H264] [--size 1280x720]
        [--kiosk call,app] [--camera test|yuyv] [--runs 3] [--seconds 20] [--settle 8]

Prints one JSON object with, per codec, each contender's runs and summary and
the kiosk/Chromium ratios of median CPU and PSS (goal: <= 0.8 for CPU, no UI).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_setup import (
    CAMERA_CLIP_SECONDS,
    add_common_arguments,
    camera_setting,
    meeting_simulator,
    parse_common,
)
from chromium_loopback import chromium_loopback
from harness import (
    Contender,
    Expectations,
    machine_note,
    ratio,
    run_interleaved,
    summarise,
)
from kiosk_child import KioskSetup, kiosk_child

from kiosk.media.bitrate_cap import video_bitrate_cap_bps
from kiosk.simulator.node import BANDWIDTH_KBPS
from kiosk.simulator.recorded_clips import ClipKind, ClipPattern, ClipSpec, ensure_clip

GOAL_CPU_RATIO = 0.8
FAKE_CAMERA_SECONDS = 4.0  # a 720p y4m second is 41 MB; Chromium loops the file


def _kiosk_modes(text: str) -> list[str]:
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes or any(m not in ("call", "app") for m in modes):
        raise argparse.ArgumentTypeError("--kiosk: call and/or app")
    return modes


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, seconds=20.0, settle=8.0)
    parser.add_argument("--kiosk", type=_kiosk_modes, default=["call"],
                        help="kiosk modes to compare: call (headless, default) and/or app")
    args = parse_common(parser, argv)
    # Both sides play the same raw picture: the kiosk's test pattern (easy to encode) or,
    # with `--camera yuyv`, the recorded webcam clip (testsrc2: detail and motion, which
    # fill the bitrate budget as a room's real picture does). Chromium's fake camera
    # reads y4m, not MJPEG, so MJPEG decoding is measured by capture_cost.py instead.
    if args.camera not in ("test", "yuyv"):
        parser.error("--camera: test or yuyv here (Chromium's fake camera plays the same picture)")
    kbps = (video_bitrate_cap_bps(BANDWIDTH_KBPS) or 0) // 1000
    natural = args.camera == "yuyv"
    fake_camera = ensure_clip(ClipSpec(
        ClipKind.Y4M, *args.size, fps=args.fps,
        seconds=CAMERA_CLIP_SECONDS[ClipKind.YUYV] if natural else FAKE_CAMERA_SECONDS,
        pattern=ClipPattern.TESTSRC2 if natural else ClipPattern.TEST_CAMERA))
    camera = camera_setting(args)
    result: dict[str, Any] = {
        "benchmark": "vs_chromium", "size": args.size_text, "fps": args.fps,
        "video_kbps_cap": kbps, "far_end_video_of_the_kiosk": args.far_end_video,
        "camera": "recorded webcam clip (testsrc2), raw" if natural else "test pattern",
        "chromium": "one endpoint's worth: one encode, one decode (two peer connections)",
    }
    with machine_note() as machine, meeting_simulator(args) as simulator:
        for codec in args.codecs:
            contenders = [
                Contender(f"kiosk {mode}", lambda m=mode, c=codec: kiosk_child(
                    KioskSetup(mode=m, camera=camera, size=args.size, fps=args.fps,
                                          codec=c), simulator))
                for mode in args.kiosk
            ]
            contenders.append(Contender("chromium", lambda c=codec: chromium_loopback(
                c, args.size, args.fps, kbps, fake_camera, exclude_from_rig=[simulator.pid])))
            runs = run_interleaved(contenders, args.runs, args.seconds, args.settle,
                                   Expectations(sent_size=args.size), progress=args.progress)
            per_codec: dict[str, Any] = {}
            for name, contender_runs in runs.items():
                per_codec[name] = {"summary": summarise(contender_runs), "runs": contender_runs}
            chromium = per_codec["chromium"]["summary"]
            for mode in args.kiosk:
                kiosk = per_codec[f"kiosk {mode}"]["summary"]
                per_codec[f"ratio kiosk {mode} / chromium"] = {
                    "cpu": ratio(kiosk, chromium, "cpu_percent"),
                    "pss": ratio(kiosk, chromium, "pss_mb"),
                    "cpu_goal": GOAL_CPU_RATIO,
                }
            result[codec] = per_codec
    result["machine"] = machine
    sys.stdout.write(json.dumps(result) + "\n")
    for codec in args.codecs:
        for mode in args.kiosk:
            figures = result[codec][f"ratio kiosk {mode} / chromium"]
            sys.stderr.write(f"{codec} kiosk {mode}/chromium: CPU {figures['cpu']}, "
                             f"PSS {figures['pss']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
