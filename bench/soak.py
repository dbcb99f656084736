"""Soak: a long call with the full kiosk app (UI headless), watched from outside for leaks.

Three processes: the simulator (tokens of `--token-seconds`, 4 s by default, so
the token is refreshed every 2 s), the kiosk app as `pexip-kiosk run` runs it
(offscreen window, test camera/microphone/speaker, logging at INFO, health
endpoint on loopback) which taps the open meeting on its home screen and stays
in the call, and this driver. Every `--interval` seconds the driver samples the
kiosk process from outside: RSS, PSS and its anonymous part (smaps_rollup), threads and
open file descriptors; the asyncio task count comes from the kiosk's own
/metrics (`kiosk_asyncio_tasks`), the only in-process probe.

Figures: the RSS and PSS slope (least squares, MB/min) after `--warmup`
minutes, RSS at the start and the end of that window, and threads / fds /
tasks at its start, its end and their maximum. Targets: slope <= 0.1 MB/min,
no growth of threads, fds or tasks (their lowest value over the last third of
the window no higher than their highest over the first third: worker threads
and tasks come and go, a leak only climbs). Writes `soak.json` (every sample)
and `soak.png` (the plot) into `--out` (default bench/results/soak/), and prints
the summary JSON.

    .venv/bin/python bench/soak.py                 # 30 minutes
    .venv/bin/python bench/soak.py --hours 2
    .venv/bin/python bench/soak.py --minutes 3 --warmup 1 --out /tmp/soak
"""

from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e`
    sys.path.insert(0, str(REPO))

from kiosk.simulator.child_process import SimulatorProcess  # noqa: E402

ROOM = "meet.open"
ROOM_NAME = "Soak room"
TARGET_SLOPE_MB_PER_MIN = 0.1
JOIN_TIMEOUT = 90.0
METRIC_TASKS = re.compile(r"^kiosk_asyncio_tasks (\S+)$", re.MULTILINE)
METRIC_STATE = re.compile(r'^kiosk_state\{kiosk_state="(\w+)"\} 1\.0$', re.MULTILINE)


@dataclass
class Sample:
    """One look at the kiosk process from outside."""

    seconds: float
    rss_mb: float
    pss_mb: float | None
    pss_anon_mb: float | None
    threads: int
    fds: int
    tasks: int | None
    state: str | None


@dataclass
class SoakResult:
    """Every sample and what they say."""

    benchmark: str = "soak"
    minutes: float = 0.0
    warmup_minutes: float = 0.0
    token_seconds: float = 0.0
    interval_seconds: float = 0.0
    log_level: str = "INFO"
    samples: list[Sample] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- the kiosk


def run_kiosk_child(args: argparse.Namespace) -> int:
    """In the child: the app against the simulator; tap the meeting, stay for the soak."""
    import asyncio

    from kiosk.config import Settings
    from kiosk.log_redaction import configure_logging
    from kiosk.ui.device.kivy_setup import prepare_environment
    from kiosk.ui.launch.launch_options import LaunchOptions
    from kiosk.ui.launch.launcher import run_app

    prepare_environment()  # offscreen when there is no display, before Kivy is imported
    settings = Settings(
        node=args.node, ca_bundle=Path(args.ca_bundle), display_name=ROOM_NAME, conference=ROOM,
        camera="test", microphone="test", speaker="test", fullscreen=False, idle_seconds=0,
        backlight="none", health_addr=f"127.0.0.1:{args.health_port}",
        state_dir=Path(args.state_dir), log_level=args.log_level,
    )
    redactor = configure_logging(settings.log_level)

    async def stay_in_the_call(app: Any) -> int:
        from kiosk.ui.device.touch_driver import tap
        from kiosk.ui.navigation.screen_names import ScreenName

        while app.manager is None or app.current_screen is not ScreenName.HOME:
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        button = next(b for b in app.home.join_buttons() if b.meeting_alias == ROOM)
        tap(button)  # as a finger on the panel
        while app.current_screen is not ScreenName.IN_CALL:
            await asyncio.sleep(0.1)
        sys.stdout.write(json.dumps({"event": "in_call"}) + "\n")
        sys.stdout.flush()
        await asyncio.sleep(args.child_seconds)
        return 0

    return run_app(settings, LaunchOptions(window_size=(800, 480)), redactor=redactor,
                   hook=stay_in_the_call).code


def free_port() -> int:
    """A free loopback TCP port for the kiosk's health endpoint."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- sampling


def smaps_rollup_mb(pid: int) -> dict[str, float]:
    """Pss and Pss_Anon (MB) from /proc/PID/smaps_rollup; empty where there is none.

    Pss counts shared library pages in proportion to their users, so it moves when
    other processes sharing them start or end; Pss_Anon is the process's own memory.
    """
    values: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                name, _, rest = line.partition(":")
                if name in ("Pss", "Pss_Anon"):
                    values[name] = int(rest.split()[0]) / 1024
    except OSError:
        return {}
    return values


def metrics(url: str) -> tuple[int | None, str | None]:
    """(asyncio tasks, session state) from the kiosk's /metrics; None when it did not answer."""
    try:
        text = requests.get(f"{url}/metrics", timeout=5).text
    except requests.RequestException:
        return None, None
    tasks = METRIC_TASKS.search(text)
    state = METRIC_STATE.search(text)
    return (int(float(tasks.group(1))) if tasks else None, state.group(1) if state else None)


def sample(process: psutil.Process, started: float, health_url: str) -> Sample:
    """One sample of the kiosk process (memory, threads, fds from outside; tasks from /metrics)."""
    with process.oneshot():
        rss = process.memory_info().rss / 2**20
        threads = process.num_threads()
        fds = process.num_fds()
    tasks, state = metrics(health_url)
    rollup = smaps_rollup_mb(process.pid)
    pss, anon = rollup.get("Pss"), rollup.get("Pss_Anon")
    return Sample(seconds=round(time.monotonic() - started, 1), rss_mb=round(rss, 2),
                  pss_mb=None if pss is None else round(pss, 2),
                  pss_anon_mb=None if anon is None else round(anon, 2),
                  threads=threads, fds=fds, tasks=tasks, state=state)


# --------------------------------------------------------------------------- figures


def slope_mb_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) points, in MB per minute."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if var == 0:
        return None
    cov = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return cov / var * 60


def growth(values: list[int]) -> dict[str, int | bool | None]:
    """Start, end, maximum, and whether the count grew: even the lowest value of the last
    third is above the highest of the first third (a leak climbs for good; worker threads
    and tasks that come and go do not)."""
    if not values:
        return {"start": None, "end": None, "max": None, "grew": None}
    third = max(1, len(values) // 3)
    return {"start": values[0], "end": values[-1], "max": max(values),
            "grew": min(values[-third:]) > max(values[:third])}


def summarize(samples: list[Sample], warmup_seconds: float) -> dict[str, Any]:
    """The soak's figures over the samples after the warm-up."""
    window = [s for s in samples if s.seconds >= warmup_seconds]
    rss_slope = slope_mb_per_min([(s.seconds, s.rss_mb) for s in window])
    pss_points = [(s.seconds, s.pss_mb) for s in window if s.pss_mb is not None]
    anon_points = [(s.seconds, s.pss_anon_mb) for s in window if s.pss_anon_mb is not None]
    tasks = [s.tasks for s in window if s.tasks is not None]
    states = sorted({s.state for s in samples if s.state})
    summary: dict[str, Any] = {
        "samples_after_warmup": len(window),
        "rss_slope_mb_per_min": None if rss_slope is None else round(rss_slope, 3),
        "pss_slope_mb_per_min": (None if (p := slope_mb_per_min(pss_points)) is None
                                 else round(p, 3)),
        "pss_anon_slope_mb_per_min": (None if (a := slope_mb_per_min(anon_points)) is None
                                      else round(a, 3)),
        "rss_start_mb": window[0].rss_mb if window else None,
        "rss_end_mb": window[-1].rss_mb if window else None,
        "rss_max_mb": max((s.rss_mb for s in window), default=None),
        "pss_start_mb": window[0].pss_mb if window else None,
        "pss_end_mb": window[-1].pss_mb if window else None,
        "threads": growth([s.threads for s in window]),
        "fds": growth([s.fds for s in window]),
        "tasks": growth(tasks),
        "states_seen": states,
        "target_slope_mb_per_min": TARGET_SLOPE_MB_PER_MIN,
    }
    summary["targets_met"] = {
        "slope": rss_slope is not None and rss_slope <= TARGET_SLOPE_MB_PER_MIN,
        "threads": summary["threads"]["grew"] is False,
        "fds": summary["fds"]["grew"] is False,
        "tasks": summary["tasks"]["grew"] is False,
        "stayed_in_call": states == ["CONNECTED"],
    }
    return summary


def plot(result: SoakResult, path: Path) -> None:
    """RSS/PSS with the fitted slope, threads, fds and tasks over time, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s.seconds / 60 for s in result.samples]
    figure, axes = plt.subplots(4, 1, figsize=(9, 10), sharex=True)
    memory, threads, fds, tasks = axes
    memory.plot(minutes, [s.rss_mb for s in result.samples], label="RSS")
    memory.plot(minutes, [s.pss_mb for s in result.samples], label="PSS")
    memory.plot(minutes, [s.pss_anon_mb for s in result.samples], label="PSS anonymous")
    slope = result.summary.get("rss_slope_mb_per_min")
    window = [s for s in result.samples if s.seconds >= result.warmup_minutes * 60]
    if slope is not None and window:
        mean_x = sum(s.seconds for s in window) / len(window) / 60
        mean_y = sum(s.rss_mb for s in window) / len(window)
        xs = [window[0].seconds / 60, window[-1].seconds / 60]
        memory.plot(xs, [mean_y + slope * (x - mean_x) for x in xs], "k--",
                    label=f"RSS slope {slope:+.3f} MB/min")
    memory.axvline(result.warmup_minutes, color="grey", linestyle=":", label="end of warm-up")
    memory.set_ylabel("MB")
    memory.legend(loc="lower right")
    memory.set_title(f"Kiosk soak: {result.minutes:g} min call, {result.token_seconds:g} s "
                     "tokens, UI on (headless)")
    for axis, values, label in ((threads, [s.threads for s in result.samples], "threads"),
                                (fds, [s.fds for s in result.samples], "open fds"),
                                (tasks, [s.tasks for s in result.samples], "asyncio tasks")):
        axis.plot(minutes, values, drawstyle="steps-post")
        axis.set_ylabel(label)
        axis.axvline(result.warmup_minutes, color="grey", linestyle=":")
    tasks.set_xlabel("minutes")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


# --------------------------------------------------------------------------- driver


def wait_in_call(child: subprocess.Popen[bytes], timeout: float) -> None:
    """Block until the kiosk says it is on the in-call screen (or fail)."""
    assert child.stdout is not None
    deadline = time.monotonic() + timeout
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if b'"in_call"' in received:
                return
            if not selector.select(timeout=0.5):
                continue
            chunk = os.read(child.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the kiosk exited ({child.wait()}) before the call")
            received += chunk
    raise RuntimeError("the kiosk did not reach the in-call screen")


def soak(minutes: float, warmup: float, interval: float, token_seconds: float,
         out: Path, log_level: str = "INFO") -> SoakResult:
    """Run the soak; write soak.json and soak.png into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    result = SoakResult(minutes=minutes, warmup_minutes=warmup, token_seconds=token_seconds,
                        interval_seconds=interval, log_level=log_level)
    port = free_port()
    health_url = f"http://127.0.0.1:{port}"
    with SimulatorProcess(token_expires=token_seconds) as simulator, \
            tempfile.TemporaryDirectory(prefix="kiosk-soak-state-") as state_dir, \
            open(out / "kiosk.log", "w") as log:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", "--node", simulator.url,
             "--ca-bundle", str(simulator.ca_bundle), "--health-port", str(port),
             "--state-dir", state_dir, "--child-seconds", str(minutes * 60 + 120),
             "--log-level", log_level],
            stdout=subprocess.PIPE, stderr=log, env=env, cwd=out,
        )
        try:
            wait_in_call(child, JOIN_TIMEOUT)
            process = psutil.Process(child.pid)
            started = time.monotonic()
            next_at = started
            while (now := time.monotonic()) - started <= minutes * 60:
                if child.poll() is not None:
                    raise RuntimeError(f"the kiosk exited ({child.returncode}) during the soak")
                if now >= next_at:
                    result.samples.append(sample(process, started, health_url))
                    next_at += interval
                time.sleep(max(0.0, min(1.0, next_at - time.monotonic())))
        finally:
            child.terminate()  # SIGTERM: the app leaves the meeting and exits
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(10)
    result.summary = summarize(result.samples, warmup * 60)
    (out / "soak.json").write_text(json.dumps(asdict(result), indent=1) + "\n")
    plot(result, out / "soak.png")
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the soak (or, with --child, the kiosk side of it)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, default=30.0, help="call length (default 30)")
    length.add_argument("--hours", type=float, help="call length in hours (e.g. 2)")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="minutes left out of the slope (default 5)")
    parser.add_argument("--interval", type=float, default=10.0,
                        help="seconds between samples (default 10)")
    parser.add_argument("--token-seconds", type=float, default=4.0,
                        help="token lifetime the simulator gives (default 4)")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING"),
                        help="the kiosk's log level (default INFO; its log is kiosk.log)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "soak",
                        help="folder for soak.json, soak.png and kiosk.log")
    child = parser.add_argument_group("internal (the kiosk process)")
    child.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    child.add_argument("--node", help=argparse.SUPPRESS)
    child.add_argument("--ca-bundle", help=argparse.SUPPRESS)
    child.add_argument("--health-port", type=int, help=argparse.SUPPRESS)
    child.add_argument("--state-dir", help=argparse.SUPPRESS)
    child.add_argument("--child-seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_kiosk_child(args)
    minutes = args.hours * 60 if args.hours is not None else args.minutes
    if minutes <= 0 or not 0 <= args.warmup < minutes or args.interval <= 0:
        parser.error("need minutes > warm-up >= 0 and a positive interval")
    result = soak(minutes, args.warmup, args.interval, args.token_seconds, args.out.resolve(),
                  args.log_level)
    sys.stdout.write(json.dumps({"benchmark": "soak", "minutes": minutes,
                                 "out": str(args.out.resolve()), **result.summary}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
