"""Call cost: CPU, memory and frame rates of the kiosk process during a call, no UI.

The simulator runs in its own process (its CPU is not counted). This process
joins the open room with the real session and aiortc media: the test camera
sends 640x360@30, the simulator's far end sends its 640x360@30 picture, and
audio flows both ways (test tone out, the far end's tone in, counted by the
test speaker). After the first remote frame and a short settling time, the
call is measured for `--seconds`:

- cpu_percent_of_one_core: this process' user+system CPU time / wall time (all threads)
- peak_rss_mb: the highest resident set size seen (sampled every 0.25 s) and the
  kernel's high-water mark (ru_maxrss)
- fps_sent / fps_received: frames handed to the encoder / decoded from the far end,
  over the window, and what the far end says it received

Prints one JSON object. Targets on a 2-core machine: <= 40 % of one core,
<= 200 MB RSS, >= 29 fps each way.

    .venv/bin/python bench/call_cost.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "bench"):  # run from a checkout without `pip install -e`
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from join_latency import bench_settings  # noqa: E402

from kiosk.conference import ConferenceSession  # noqa: E402
from kiosk.media.call_factory import AiortcMediaFactory  # noqa: E402
from kiosk.media.loopback_ice import use_loopback_candidates_only  # noqa: E402
from kiosk.media.peer_call import AiortcMediaCall  # noqa: E402
from kiosk.session_state import SessionState  # noqa: E402
from kiosk.simulator.child_process import SimulatorProcess  # noqa: E402
from kiosk.simulator.node import BANDWIDTH_KBPS  # noqa: E402

ROOM = "meet.open"
SETTLE_SECONDS = 3.0
SAMPLE_SECONDS = 0.25
TARGETS = {"cpu_percent_of_one_core": 40.0, "peak_rss_mb": 200.0, "fps_each_way": 29.0}


def far_end_counters(simulator: SimulatorProcess, participant_name: str) -> dict[str, Any]:
    """What the simulator's far end received from this kiosk (`GET /_sim/rooms/{alias}`)."""
    for participant in simulator.control.room(ROOM)["participants"]:
        if participant.get("display_name") == participant_name and participant.get("calls"):
            return dict(participant["calls"][-1]["media"])
    return {}


async def measure(seconds: float, simulator: SimulatorProcess) -> dict[str, Any]:
    """Join, settle, measure for `seconds`, leave."""
    settings = bench_settings(simulator)
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    process = psutil.Process()
    await session.join(ROOM)
    if session.snapshot.state is not SessionState.CONNECTED:
        raise RuntimeError(f"the join ended in {session.snapshot.state.value}")
    media = session.media_call
    if not isinstance(media, AiortcMediaCall):
        raise RuntimeError("no media call")
    try:
        while media.remote_video.first_frame_at is None:
            await asyncio.sleep(0.01)
        await asyncio.sleep(SETTLE_SECONDS)

        start_stats = await media.stats()
        start_far = await asyncio.to_thread(far_end_counters, simulator, settings.display_name)
        start_cpu = process.cpu_times()
        start_wall = time.monotonic()
        peak_rss = process.memory_info().rss
        sink = media.speaker_sink
        start_audio_frames = sink.frames if sink else 0
        while time.monotonic() - start_wall < seconds:
            await asyncio.sleep(SAMPLE_SECONDS)
            peak_rss = max(peak_rss, process.memory_info().rss)
        wall = time.monotonic() - start_wall
        end_cpu = process.cpu_times()
        end_stats = await media.stats()
        end_far = await asyncio.to_thread(far_end_counters, simulator, settings.display_name)
        audio_frames = (sink.frames if sink else 0) - start_audio_frames
    finally:
        await session.leave()

    cpu = (end_cpu.user - start_cpu.user) + (end_cpu.system - start_cpu.system)
    far_frames = end_far.get("video_frames_received", 0) - start_far.get("video_frames_received", 0)
    fps_sent = (end_stats.frames_sent - start_stats.frames_sent) / wall
    fps_received = (end_stats.frames_received - start_stats.frames_received) / wall
    peak_rss_mb = peak_rss / 2**20
    # ru_maxrss is in kilobytes on Linux.
    high_water_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu_percent = 100 * cpu / wall
    return {
        "benchmark": "call_cost",
        "seconds": round(wall, 1),
        "cpu_percent_of_one_core": round(cpu_percent, 1),
        "cpu_user_s": round(end_cpu.user - start_cpu.user, 2),
        "cpu_system_s": round(end_cpu.system - start_cpu.system, 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "rss_high_water_mb": round(high_water_mb, 1),
        "fps_sent": round(fps_sent, 2),
        "fps_received": round(fps_received, 2),
        "fps_received_by_far_end": round(far_frames / wall, 2),
        "resolution_sent": end_stats.resolution_sent,
        "resolution_received": end_stats.resolution_received,
        "codec": end_stats.codec,
        "bitrate_out_kbps": end_stats.bitrate_out_kbps,
        "bandwidth_out_kbps": BANDWIDTH_KBPS,  # the token's budget for what the kiosk sends
        "bitrate_in_kbps": end_stats.bitrate_in_kbps,
        "audio_packets_sent": end_stats.audio_packets_sent - start_stats.audio_packets_sent,
        "audio_packets_received": (end_stats.audio_packets_received
                                   - start_stats.audio_packets_received),
        "audio_frames_played": audio_frames,
        "far_end_audio_packets_received": (end_far.get("audio_packets_received", 0)
                                           - start_far.get("audio_packets_received", 0)),
        "targets": TARGETS,
        "targets_met": {
            "cpu": cpu_percent <= TARGETS["cpu_percent_of_one_core"],
            "rss": max(peak_rss_mb, high_water_mb) <= TARGETS["peak_rss_mb"],
            # What arrives counts: frames the far end received, and frames we received.
            "fps": min(far_frames / wall, fps_received) >= TARGETS["fps_each_way"],
            "bitrate_out": end_stats.bitrate_out_kbps <= BANDWIDTH_KBPS,
        },
        "machine": {"cpus": os.cpu_count()},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="length of the measured call (default 60)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    use_loopback_candidates_only()  # the simulator is on 127.0.0.1
    with SimulatorProcess() as simulator:
        result = asyncio.run(measure(args.seconds, simulator))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
