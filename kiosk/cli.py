"""`pexip-kiosk`: the kiosk's command line.

Sub-commands: `run` (the touch UI), `demo` (the UI against the embedded
simulator), `call` (a headless join, see `kiosk.headless_call`), `agenda` (the
day's meetings as the room sees them, see `kiosk.calendar.agenda_command`) and
`sim` (the stand-in Pexip node). The UI and the simulator are imported only when their
command runs, so `call` and `--version` start quickly and work without them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk import __version__, headless_call
from kiosk.config import DEFAULT_ENV_FILE, ConfigError, load_settings

PROG = "pexip-kiosk"
EXIT_USAGE = headless_call.EXIT_USAGE
# What `pexip-kiosk` answers by itself, without a command.
TOP_LEVEL_OPTIONS = frozenset({"-h", "--help", "--version"})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command (`sim`'s own options are added lazily)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Pexip Infinity meeting-room kiosk."
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="start the full-screen kiosk app")
    run.add_argument("--env-file", type=Path, default=None,
                     help="settings file (default .env if there is one; the environment wins)")

    demo = commands.add_parser("demo", help="the kiosk app against the embedded simulator")
    demo.add_argument("--autopilot", action="store_true",
                      help="drive the app through every screen by itself, then exit")
    demo.add_argument("--screenshots", type=Path, metavar="DIR",
                      help="save a screenshot of every screen into DIR (with --autopilot)")

    call = commands.add_parser(
        "call", help="join a meeting headless, stay a while, leave (JSON lines on stdout)",
        description=headless_call.__doc__.split("\n\n")[0] if headless_call.__doc__ else None,
    )
    headless_call.add_arguments(call)

    from kiosk.calendar import agenda_command

    agenda = commands.add_parser(
        "agenda", help="the day's meetings as the room sees them (JSON lines on stdout)",
        description=agenda_command.__doc__.split("\n\n")[0] if agenda_command.__doc__ else None,
    )
    agenda_command.add_arguments(agenda)

    # The simulator's options are its own (kiosk.simulator.main); parsed in `_run_sim`.
    commands.add_parser("sim", help="run the stand-in Pexip Conferencing Node", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `pexip-kiosk` with `argv` (default: the command line); return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(args_list)
        if args.command == "sim":
            return _run_sim(extra)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "call":
        return headless_call.run(args)
    if args.command == "agenda":
        from kiosk.calendar import agenda_command

        return agenda_command.run(args)
    if args.command == "run":
        return _run_kiosk(args.env_file)
    if args.command == "demo":
        return _run_demo(args.autopilot, args.screenshots)
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def module_argv(args: Sequence[str]) -> list[str]:
    """The `pexip-kiosk` arguments for `python -m kiosk ARGS`: nothing or `run`'s options
    run the app; a command (or --help, --version) is passed on as given."""
    if not args or (args[0].startswith("-") and args[0] not in TOP_LEVEL_OPTIONS):
        return ["run", *args]
    return list(args)


def _run_sim(extra: list[str]) -> int:
    from kiosk.simulator import main as simulator_main

    parser = argparse.ArgumentParser(prog=f"{PROG} sim",
                                     description="A stand-in Pexip Conferencing Node.")
    simulator_main.add_arguments(parser)
    args = parser.parse_args(extra)
    return simulator_main.run(args)


def _run_kiosk(env_file: Path | None) -> int:
    try:
        # A file named with --env-file must exist; the default .env is optional.
        settings = load_settings(env_file=env_file or DEFAULT_ENV_FILE,
                                 env_file_required=env_file is not None)
    except ConfigError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return EXIT_USAGE
    from kiosk.ui.launch.launcher import run_kiosk

    return run_kiosk(settings)


def _run_demo(autopilot: bool, screenshots: Path | None) -> int:
    if screenshots is not None and not autopilot:
        sys.stderr.write(f"{PROG} demo: --screenshots needs --autopilot\n")
        return EXIT_USAGE
    from kiosk.demo import run_demo

    return run_demo(autopilot=autopilot, screenshots=screenshots)


if __name__ == "__main__":
    sys.exit(main())
