"""The kiosk under test, in a process of its own, measured from outside by the benches.

Run as a child (`KioskChild` starts it): it joins the meeting with the real
session and aiortc media, either headless (`--mode call`, what `pexip-kiosk
call` runs) or as the whole app on an 800x480 offscreen window (`--mode app`,
the real Kivy UI, joining by a tap on Home), or just sits on Home (`--mode
idle`). It prints `{"event": "ready"}` once media flows both ways (Home is
drawn, for idle), then answers each `stats` line on stdin with one JSON line
of its counters, and leaves and exits on `quit` (or when stdin closes).

The child measures nothing about itself: CPU and memory are read from /proc
by the bench (`harness.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e`
    sys.path.insert(0, str(REPO))

READY_TIMEOUT = 90.0
WINDOW = (800, 480)
ROOM = "meet.open"
PIN_ROOM = "meet.board"
PIN_ROOM_HOST_PIN = "2468"


# ------------------------------------------------------------------ in the child


def _settings(args: argparse.Namespace) -> Any:
    from kiosk.config import Meeting, Settings

    width, height = (int(v) for v in args.size.split("x"))
    return Settings(
        node=args.node, ca_bundle=Path(args.ca), display_name="Bench room",
        camera=args.camera, camera_size=(width, height), camera_fps=args.fps,
        microphone="test", speaker="test", video_codecs=(args.codec,),
        meetings=(Meeting("Open meeting", ROOM),), idle_seconds=0, fullscreen=False,
        backlight="none", health_addr="", log_level="ERROR", pin_cooldown_seconds=0.0,
    )


def _media_counters(stats: Any) -> dict[str, Any]:
    return {
        "frames_sent": stats.frames_sent, "frames_received": stats.frames_received,
        "resolution_sent": stats.resolution_sent, "resolution_received": stats.resolution_received,
        "codec": stats.codec, "bitrate_out_kbps": stats.bitrate_out_kbps,
        "bitrate_in_kbps": stats.bitrate_in_kbps,
        "audio_packets_sent": stats.audio_packets_sent,
        "audio_packets_received": stats.audio_packets_received,
    }


class StdioServer:
    """Answers `stats` lines on stdin through `report()`; `quit` (or EOF) sets `done`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.done = asyncio.Event()
        self._loop = loop
        self._requests: asyncio.Queue[str] = asyncio.Queue()
        threading.Thread(target=self._read, daemon=True, name="bench-stdin").start()

    def _read(self) -> None:
        for line in sys.stdin:
            self._loop.call_soon_threadsafe(self._requests.put_nowait, line.strip())
        self._loop.call_soon_threadsafe(self._requests.put_nowait, "quit")

    @staticmethod
    def send(record: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

    async def serve(self, report: Any) -> None:
        while True:
            request = await self._requests.get()
            if request == "quit":
                return
            if request == "stats":
                self.send(await report())


async def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


async def _run_call(args: argparse.Namespace) -> int:
    from kiosk.conference import ConferenceSession
    from kiosk.media.call_factory import AiortcMediaFactory
    from kiosk.media.loopback_ice import use_loopback_candidates_only
    from kiosk.session_state import SessionState

    use_loopback_candidates_only()
    settings = _settings(args)
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    server = StdioServer(asyncio.get_running_loop())
    await session.join(ROOM)
    try:
        if session.snapshot.state is not SessionState.CONNECTED:
            raise RuntimeError(f"the join ended in {session.snapshot.state.value}")
        media = session.media_call
        assert media is not None
        stats = media.stats
        await _wait(lambda: media.remote_video.frame_count > 0, 30, "the first remote frame")
        server.send({"event": "ready"})

        async def report() -> dict[str, Any]:
            return _media_counters(await stats())

        await server.serve(report)
    finally:
        await session.leave()
    return 0


def _run_app(args: argparse.Namespace) -> int:
    from kiosk.ui.device.kivy_setup import prepare_environment

    prepare_environment()  # before anything imports kivy
    from kiosk.ui.launch.launch_options import LaunchOptions
    from kiosk.ui.launch.launcher import run_app

    async def hook(app: Any) -> int:
        from kivy.clock import Clock

        from kiosk.ui.device.touch_driver import tap
        from kiosk.ui.navigation.screen_names import ScreenName

        server = StdioServer(asyncio.get_running_loop())
        await _wait(lambda: app.manager is not None and app.current_screen is ScreenName.HOME,
                    30, "the home screen")
        home = app.screen(ScreenName.HOME)
        if args.mode == "idle":
            drawn = asyncio.get_running_loop().create_future()
            Clock.schedule_once(lambda _dt: drawn.done() or drawn.set_result(None), 0)
            await drawn
            server.send({"event": "ready"})

            async def idle_report() -> dict[str, Any]:
                return {"screen": str(app.current_screen)}

            await server.serve(idle_report)
            return 0
        await _wait(lambda: home.node_reachable is not None, 30, "the node check")
        tap(home.join_buttons()[0])  # meet.open
        await _wait(lambda: app.current_screen is ScreenName.IN_CALL, 30, "the call screen")
        in_call = app.screen(ScreenName.IN_CALL)
        remote, self_view = in_call.ids.remote, in_call.ids.self_view
        await _wait(lambda: remote.has_frame and self_view.has_frame, 30, "video on screen")
        server.send({"event": "ready"})

        async def report() -> dict[str, Any]:
            counters = _media_counters(await app.session.media_call.stats())
            counters["frames_shown"] = getattr(remote, "blits", None)
            counters["self_view_frames_shown"] = getattr(self_view, "blits", None)
            return counters

        await server.serve(report)
        return 0

    return run_app(_settings(args), LaunchOptions(window_size=WINDOW), hook=hook).code


def _run_startup(args: argparse.Namespace) -> int:
    """Start the app, print the seconds from process creation to Home drawn, exit."""
    from kiosk.ui.device.kivy_setup import prepare_environment

    prepare_environment()
    import psutil

    from kiosk.ui.launch.launch_options import LaunchOptions
    from kiosk.ui.launch.launcher import run_app

    created = psutil.Process().create_time()

    async def hook(app: Any) -> int:
        from kivy.clock import Clock

        from kiosk.ui.navigation.screen_names import ScreenName

        await _wait(lambda: app.manager is not None and app.current_screen is ScreenName.HOME,
                    30, "the home screen")
        drawn = asyncio.get_running_loop().create_future()
        Clock.schedule_once(lambda _dt: drawn.done() or drawn.set_result(None), 0)
        await drawn
        StdioServer.send({"event": "startup", "seconds": time.time() - created})
        return 0

    return run_app(_settings(args), LaunchOptions(window_size=WINDOW), hook=hook).code


async def _run_capture(args: argparse.Namespace) -> int:
    """Only the camera: open it as a call would and take every frame (no encoding)."""
    from kiosk.media.camera_source import open_camera

    opened = await asyncio.to_thread(open_camera, _settings(args))
    track = opened.track
    if track is None:
        raise RuntimeError(f"no camera: {opened.status.reason}")
    server = StdioServer(asyncio.get_running_loop())
    frames = 0
    size: tuple[int, int] | None = None

    async def take() -> None:
        nonlocal frames, size
        while True:
            frame = await track.recv()
            frames += 1
            size = (frame.width, frame.height)

    taking = asyncio.create_task(take())
    await _wait(lambda: frames > 0, 30, "the first camera frame")
    server.send({"event": "ready"})

    async def report() -> dict[str, Any]:
        return {"frames_captured": frames, "resolution_sent": size}

    try:
        await server.serve(report)
    finally:
        taking.cancel()
        opened.stop()
    return 0


async def _run_joins(args: argparse.Namespace) -> int:
    """Join the open room and the PIN room `--joins` times each; print the latencies (ms)."""
    from kiosk.conference import ConferenceSession
    from kiosk.media.call_factory import AiortcMediaFactory
    from kiosk.media.loopback_ice import use_loopback_candidates_only
    from kiosk.session_state import SessionState

    use_loopback_candidates_only()
    settings = _settings(args)
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))

    async def one_join(alias: str, pin: str | None) -> float:
        started = time.monotonic()
        await session.join(alias)
        if pin is not None:
            if session.snapshot.state not in (SessionState.PIN_REQUIRED,
                                              SessionState.PIN_OPTIONAL):
                raise RuntimeError(f"expected a PIN request, got {session.snapshot.state}")
            started = time.monotonic()
            await session.submit_pin(pin)
        try:
            media = session.media_call
            await _wait(lambda: media is not None and media.remote_video.first_frame_at
                        is not None, 20, "the first remote frame")
            first = media.remote_video.first_frame_at  # type: ignore[union-attr]
        finally:
            await session.leave()
        return (float(first) - started) * 1000

    StdioServer.send({"event": "ready"})
    warm_up = await one_join(ROOM, None)
    open_room = [await one_join(ROOM, None) for _ in range(args.joins)]
    pin_room = [await one_join(PIN_ROOM, PIN_ROOM_HOST_PIN) for _ in range(args.joins)]
    StdioServer.send({"event": "joins", "warm_up_ms": warm_up, "open_room_ms": open_room,
                      "pin_room_ms": pin_room})
    # Alive until the bench has read our CPU time: /proc forgets an exited process's.
    await asyncio.to_thread(sys.stdin.read)
    return 0


def child_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the child process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["call", "app", "idle", "startup", "joins", "capture"],
                        required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--camera", default="test")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--codec", default="VP8", choices=["VP8", "H264"])
    parser.add_argument("--joins", type=int, default=20)
    args = parser.parse_args(argv)
    if args.mode == "call":
        return asyncio.run(_run_call(args))
    if args.mode == "joins":
        return asyncio.run(_run_joins(args))
    if args.mode == "capture":
        return asyncio.run(_run_capture(args))
    if args.mode == "startup":
        return _run_startup(args)
    return _run_app(args)


# ------------------------------------------------------------------ in the bench


@dataclass(frozen=True)
class KioskSetup:
    """How the bench starts the kiosk child."""

    mode: str = "call"
    camera: str = "test"
    size: tuple[int, int] = (1280, 720)
    fps: int = 30
    codec: str = "VP8"


class KioskChild:
    """A running kiosk child; a `harness.Subject`. Far-end counters come from the simulator."""

    def __init__(self, process: subprocess.Popen[str], simulator: Any) -> None:
        self._process = process
        self._simulator = simulator
        self.early: dict[str, int] = {}  # counts a few seconds into the call (see kiosk_child)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def rig_pids(self) -> Sequence[int]:
        return [self._simulator.pid]


    def request(self) -> dict[str, Any]:
        """One `stats` round trip."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write("stats\n")
        self._process.stdin.flush()
        while True:
            line = self._process.stdout.readline()
            if not line:
                raise RuntimeError("the kiosk child ended")
            if line.startswith("{"):
                return dict(json.loads(line))

    def counters(self) -> Any:
        from harness import Counters

        mine = self.request()
        far = self._far_end()

        def size(value: Any) -> tuple[int, int] | None:
            return (int(value[0]), int(value[1])) if value else None

        extra = {k: mine[k] for k in ("codec", "bitrate_out_kbps", "bitrate_in_kbps")
                 if k in mine}
        if "frames_captured" in mine:  # capture only: the camera's frames are the only rate
            return Counters(decoded_frames=mine["frames_captured"],
                            sent_resolution=size(mine.get("resolution_sent")))
        return Counters(
            far_end_decoded_frames=far.get("video_frames_received"),
            decoded_frames=mine.get("frames_received"),
            shown_frames=mine.get("frames_shown"),
            sent_frames=mine.get("frames_sent"),
            sent_resolution=size(mine.get("resolution_sent")),
            received_resolution=size(mine.get("resolution_received")),
            extra={**extra, **self.early},
        )

    def record_early(self, seconds: float, ready_at: float) -> None:
        """Wait until `seconds` after ready; keep what both ends decoded so far."""
        time.sleep(max(0.0, ready_at + seconds - time.monotonic()))
        label = f"{seconds:g}s"
        self.early[f"far_end_frames_first_{label}"] = int(
            self._far_end().get("video_frames_received") or 0)
        self.early[f"decoded_frames_first_{label}"] = int(
            self.request().get("frames_received") or 0)

    def _far_end(self) -> dict[str, Any]:
        for participant in self._simulator.control.room(ROOM)["participants"]:
            if participant.get("display_name") == "Bench room" and participant.get("calls"):
                return dict(participant["calls"][-1]["media"])
        return {}


def child_command(setup: KioskSetup, simulator: Any, mode: str | None = None,
                  extra: Sequence[str] = ()) -> list[str]:
    """The command line of a kiosk child against `simulator`."""
    return [sys.executable, str(Path(__file__).resolve()), "--mode", mode or setup.mode,
            "--node", simulator.url, "--ca", str(simulator.ca_bundle), "--camera", setup.camera,
            "--size", "x".join(map(str, setup.size)), "--fps", str(setup.fps),
            "--codec", setup.codec, *extra]


def child_environment() -> dict[str, str]:
    """The bench's environment for a child: no KIOSK_/PEXIP_ settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "PEXIP_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return env


@contextmanager
def kiosk_child(setup: KioskSetup, simulator: Any, mode: str | None = None,
                early_seconds: float = 0.0) -> Iterator[KioskChild]:
    """Start a kiosk child, wait until it is ready, stop it at the end.

    `early_seconds`: first record the frames each end decoded in that many seconds
    after ready (the first remote frame), e.g. whether a call starts at full rate."""
    process = subprocess.Popen(child_command(setup, simulator, mode), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=child_environment())
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"the kiosk child exited ({process.wait()}) before it was ready")
            if line.startswith("{") and json.loads(line).get("event") == "ready":
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the kiosk child was not ready in time")
        child = KioskChild(process, simulator)
        if early_seconds > 0:
            child.record_early(early_seconds, time.monotonic())
        yield child
    finally:
        if process.poll() is None and process.stdin is not None:
            try:
                process.stdin.write("quit\n")
                process.stdin.close()
                process.wait(timeout=15)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()


def startup_seconds(simulator: Any) -> float | None:
    """One cold start of the app (a fresh process) to an interactive Home, in seconds."""
    done = subprocess.run(child_command(KioskSetup(), simulator, "startup"), capture_output=True,
                          text=True, timeout=120, env=child_environment(), check=False)
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("event") == "startup":
                return round(float(record["seconds"]), 3)
    return None


if __name__ == "__main__":
    sys.exit(child_main())
