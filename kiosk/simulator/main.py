"""`pexip-kiosk sim`: run the simulated Pexip node until SIGINT/SIGTERM.

Prints one JSON line on stdout when ready:
`{"event": "ready", "url": "https://127.0.0.1:PORT", "ca_bundle": "/path/ca.pem"}`.
Exit codes: 0 stopped cleanly, 2 bad arguments or rooms file, 1 could not start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import signal
import sys
import tempfile
from pathlib import Path

from kiosk.simulator.far_end_video import FarEndVideo
from kiosk.simulator.rooms import RoomConfig, RoomsFileError, load_demo_rooms, load_rooms
from kiosk.simulator.server import Simulator, SimulatorError

log = logging.getLogger(__name__)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 86400 seconds")
    return value


def _far_end_video(text: str) -> FarEndVideo:
    try:
        return FarEndVideo.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0 picks a free one)")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `pexip-kiosk sim`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=0, help="TCP port (0: a free one)")
    parser.add_argument(
        "--rooms", type=Path, default=None, help="rooms TOML file (default: the demo rooms)"
    )
    parser.add_argument(
        "--token-expires",
        type=_positive_seconds,
        default=120.0,
        help="token lifetime in seconds (default 120)",
    )
    parser.add_argument("--no-tls", action="store_true", help="serve plain http (loopback only)")
    parser.add_argument(
        "--far-end-video",
        type=_far_end_video,
        default=FarEndVideo(),
        metavar="SPEC",
        help="what the far end sends: pattern (default; labelled bars, 640x360), meeting "
        "(1280x720 testsrc2 at bandwidth_in, pre-encoded), or either with "
        ":WxH[@FPS][:KBPSk], e.g. meeting:1920x1080@30:2000k",
    )
    parser.add_argument(
        "--clip-dir",
        type=Path,
        default=None,
        help="where the meeting video's clips are cached (default $KIOSK_CLIP_DIR or ~/.cache)",
    )
    parser.add_argument(
        "--cert-dir",
        type=Path,
        default=None,
        help="directory for the throw-away CA file (default: a new temporary directory)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the simulator until SIGINT or SIGTERM; return the exit code."""
    try:
        rooms = load_rooms(args.rooms) if args.rooms is not None else load_demo_rooms()
    except RoomsFileError as exc:
        sys.stderr.write(f"pexip-kiosk sim: {exc}\n")
        return 2
    cert_dir = getattr(args, "cert_dir", None)
    try:
        return asyncio.run(_serve(args, rooms, cert_dir))
    except SimulatorError as exc:
        sys.stderr.write(f"pexip-kiosk sim: {exc}\n")
        return 1


async def _serve(args: argparse.Namespace, rooms: list[RoomConfig], cert_dir: Path | None) -> int:
    with contextlib.ExitStack() as stack:
        if cert_dir is None and not args.no_tls:
            # Kept for the whole run: clients read the CA file while the simulator serves.
            cert_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-sim-")))
        simulator = Simulator(
            rooms,
            host=args.host,
            port=args.port,
            tls=not args.no_tls,
            token_expires=args.token_expires,
            cert_dir=cert_dir,
            far_end_video=dataclasses.replace(
                getattr(args, "far_end_video", None) or FarEndVideo(),
                clip_dir=getattr(args, "clip_dir", None),
            ),
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await simulator.start()
        try:
            ready = {
                "event": "ready",
                "url": simulator.url,
                "ca_bundle": str(simulator.ca_bundle) if simulator.ca_bundle else None,
            }
            sys.stdout.write(json.dumps(ready) + "\n")
            sys.stdout.flush()
            await stop.wait()
        finally:
            await simulator.stop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point: `python -m kiosk.simulator.main [options]`."""
    parser = argparse.ArgumentParser(
        prog="pexip-kiosk sim", description="Run a simulated Pexip Conferencing Node."
    )
    add_arguments(parser)
    parser.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging level (default WARNING)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
