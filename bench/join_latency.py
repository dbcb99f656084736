"""Join latency: how long from the tap (open room) or the PIN (PIN room) to the first picture.

Runs the simulator in its own process (`kiosk.simulator.child_process`) so its
work does not share this process' CPU and GIL, then joins an open room and a
PIN room N times each with the real session and aiortc media (test camera,
test microphone, test speaker) and measures, per join:

- open room:  `join()` called        -> first remote video frame decoded
- PIN room:   `submit_pin()` called  -> first remote video frame decoded

"decoded" is the moment the frame reached the display mailbox
(`remote_video.first_frame_at`), not when this script noticed it.
One untimed warm-up join comes first (imports, codec set-up).

Prints one JSON object. Target: median <= 250 ms for both rooms.

    .venv/bin/python bench/join_latency.py [--joins 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e`
    sys.path.insert(0, str(REPO))

from kiosk.conference import ConferenceSession  # noqa: E402
from kiosk.config import Settings  # noqa: E402
from kiosk.media.call_factory import AiortcMediaFactory  # noqa: E402
from kiosk.media.loopback_ice import use_loopback_candidates_only  # noqa: E402
from kiosk.session_state import SessionState  # noqa: E402
from kiosk.simulator.child_process import SimulatorProcess  # noqa: E402

TARGET_MEDIAN_MS = 250.0
OPEN_ROOM = "meet.open"
PIN_ROOM = "meet.board"
PIN_ROOM_HOST_PIN = "2468"
FIRST_FRAME_TIMEOUT = 20.0


def bench_settings(simulator: SimulatorProcess, **overrides: Any) -> Settings:
    """Settings of a kiosk with test devices pointing at the simulator."""
    values: dict[str, Any] = {
        "node": simulator.url, "ca_bundle": simulator.ca_bundle, "display_name": "Bench room",
        "camera": "test", "microphone": "test", "speaker": "test",
        "pin_cooldown_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


async def wait_for_first_frame(session: ConferenceSession, timeout: float) -> float:
    """`time.monotonic()` at which the first remote frame was decoded."""
    deadline = time.monotonic() + timeout
    while True:
        media = session.media_call
        first = media.remote_video.first_frame_at if media is not None else None  # type: ignore[attr-defined]
        if first is not None:
            return float(first)
        state = session.snapshot.state
        if state in (SessionState.ERROR, SessionState.IDLE):
            error = session.snapshot.error
            raise RuntimeError(f"join ended in {state.value}: {error.message if error else ''}")
        if time.monotonic() > deadline:
            raise RuntimeError("no remote video frame in time")
        # The mailbox stamps the frame's arrival itself: polling faster would only take
        # loop time from the join being measured.
        await asyncio.sleep(0.01)


async def one_join(session: ConferenceSession, alias: str, pin: str | None) -> float:
    """Join once and leave; the latency in milliseconds."""
    started = time.monotonic()
    await session.join(alias)
    if pin is not None:
        state = session.snapshot.state
        if state not in (SessionState.PIN_REQUIRED, SessionState.PIN_OPTIONAL):
            raise RuntimeError(f"expected a PIN request, got {state.value}")
        started = time.monotonic()
        await session.submit_pin(pin)
    try:
        first_frame = await wait_for_first_frame(session, FIRST_FRAME_TIMEOUT)
    finally:
        await session.leave()
    return (first_frame - started) * 1000


def summarize(samples: list[float]) -> dict[str, Any]:
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


async def run(joins: int, simulator: SimulatorProcess) -> dict[str, Any]:
    """The whole benchmark against a running simulator."""
    settings = bench_settings(simulator)
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    warm_up_ms = await one_join(session, OPEN_ROOM, None)
    open_room = [await one_join(session, OPEN_ROOM, None) for _ in range(joins)]
    pin_room = [await one_join(session, PIN_ROOM, PIN_ROOM_HOST_PIN) for _ in range(joins)]
    open_summary, pin_summary = summarize(open_room), summarize(pin_room)
    return {
        "benchmark": "join_latency",
        "measure": "join tapped (open room) / PIN submitted (PIN room) -> first remote "
                   "video frame decoded",
        "open_room": {"alias": OPEN_ROOM, **open_summary},
        "pin_room": {"alias": PIN_ROOM, **pin_summary},
        "warm_up_join_ms": round(warm_up_ms, 1),
        "target_median_ms": TARGET_MEDIAN_MS,
        "target_met": max(open_summary["median_ms"], pin_summary["median_ms"])
        <= TARGET_MEDIAN_MS,
        "media": {"camera": "test 640x360@30", "microphone": "test", "speaker": "test"},
        "machine": {"cpus": os.cpu_count()},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--joins", type=int, default=20, help="joins per room (default 20)")
    args = parser.parse_args(argv)
    if args.joins < 1:
        parser.error("--joins must be at least 1")
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    use_loopback_candidates_only()  # the simulator is on 127.0.0.1
    with SimulatorProcess() as simulator:
        result = asyncio.run(run(args.joins, simulator))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
