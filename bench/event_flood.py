"""Event flood: the memory and the stay of `pexip-kiosk call` while the node floods its
event stream (issue 8 measured 544 MB, and `--seconds 15` still running after 90 s).

Runs the simulator in its own process, starts `pexip-kiosk call --no-media --seconds S`
in another, and once the call is CONNECTED has the simulator write N
`participant_update` events into its stream as fast as the call reads them. The call's
resident memory (RSS) is sampled every 0.1 s from its start to its end.

Prints one JSON object: the RSS before the flood and at its peak, how long the call
took against the stay it was given, and its exit code. Targets: peak RSS no more than
TARGET_GROWTH_MB over the RSS before the flood, and the call over within S + 5 s.

    .venv/bin/python bench/event_flood.py [--events 200000] [--seconds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e`
    sys.path.insert(0, str(REPO))

from kiosk.simulator.child_process import SimulatorProcess  # noqa: E402

TARGET_GROWTH_MB = 50.0
TARGET_OVERRUN_S = 5.0
SAMPLE_SECONDS = 0.1


def run(events: int, seconds: float) -> dict[str, Any]:
    """One flooded call; the figures."""
    with SimulatorProcess() as simulator, tempfile.TemporaryDirectory() as scratch:
        env_file = Path(scratch) / "empty.env"  # settings only from the flags
        env_file.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
        env["KIOSK_LOG_LEVEL"] = "WARNING"
        command = [sys.executable, "-m", "kiosk.cli", "call", "--env-file", str(env_file),
                   "--node", simulator.url, "--ca-bundle", str(simulator.ca_bundle),
                   "--alias", "meet.open", "--no-media", "--seconds", str(seconds)]
        started = time.monotonic()
        call = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, cwd=REPO, env=env)
        process = psutil.Process(call.pid)
        samples: list[tuple[float, float]] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                try:
                    samples.append((time.monotonic(), process.memory_info().rss / 2**20))
                except psutil.Error:
                    return
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        flooded_at = None
        summary: dict[str, Any] = {}
        assert call.stdout is not None
        for line in call.stdout:
            record = json.loads(line)
            if record.get("event") == "state" and record.get("state") == "CONNECTED":
                flooded_at = time.monotonic()
                simulator.control.inject_fault("events", flood_events=events)
            if record.get("event") == "summary":
                summary = record
        code = call.wait(timeout=120)
        took = time.monotonic() - started
        done.set()
        sampler.join(timeout=2)
    before = [rss for at, rss in samples if flooded_at is None or at <= flooded_at]
    after = [rss for at, rss in samples if flooded_at is not None and at > flooded_at]
    rss_before = max(before) if before else 0.0
    rss_peak = max(after) if after else rss_before
    overrun = took - seconds
    return {
        "bench": "event_flood",
        "events": events,
        "stay_s": seconds,
        "exit_code": code,
        "call_total_s": round(took, 2),
        "summary_total_s": summary.get("timings", {}).get("total_s"),
        # The flood's 50 made-up participants, once it reached the roster (+ the room).
        "participants_at_end": summary.get("participant_count"),
        "rss_before_flood_mb": round(rss_before, 1),
        "rss_peak_mb": round(rss_peak, 1),
        "rss_growth_mb": round(rss_peak - rss_before, 1),
        "target_growth_mb": TARGET_GROWTH_MB,
        "target_overrun_s": TARGET_OVERRUN_S,
        "meets_targets": (rss_peak - rss_before <= TARGET_GROWTH_MB
                          and overrun <= TARGET_OVERRUN_S and code == 0),
        "load_average": os.getloadavg()[0],
    }


def main() -> int:
    """Parse the options, run, print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    print(json.dumps(run(args.events, args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
