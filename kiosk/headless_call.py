"""`pexip-kiosk call`: join a meeting without a screen, stay a while, leave.

For installers ("does this room reach the node, does the PIN work, does media
flow?") and for tests. Prints one JSON line per state change on stdout and a
final summary; logs go to stderr, and a call that did not succeed ends with one
line there saying why (`pexip-kiosk call: <reason>`), never a traceback. The
PIN is read from standard input, never from the command line (it would show in
`ps`).

Exit codes: 0 joined and left cleanly; 2 usage or configuration error; 3 PIN
needed but not given, or wrong; 4 meeting not found; 5 node unreachable, TLS
failure, not a Pexip node or busy; 6 media failed; 7 disconnected by the node
before the end; 8 the meeting was lost: the node stopped answering and had not
come back (within KIOSK_RECONNECT_GIVE_UP_SECONDS, or by the end of the stay);
9 the node stopped answering during the stay and the room rejoined the meeting
(the summary's `interruptions` say when); 1 any other refusal (SSO, a refusal
reason, a malformed reply); 130 interrupted (Ctrl-C / SIGTERM; the room still
left cleanly). A missing media library (aiortc, PyAV) is exit 6 before dialling.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import getpass
import json
import logging
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TextIO

from kiosk.conference import ConferenceSession
from kiosk.config import DEFAULT_ENV_FILE, ConfigError, Settings, load_settings, validate_node_url
from kiosk.log_redaction import RedactingFilter, configure_logging, remove_logging
from kiosk.media.interface import MediaFactory
from kiosk.session.joined_meeting import IN_MEETING_STATES
from kiosk.session.pin_entry import PIN_STATES
from kiosk.session_state import ErrorCode, SessionError, SessionSnapshot, SessionState
from kiosk.settings_checks.named_files import check_ca_bundle

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PIN = 3
EXIT_NOT_FOUND = 4
EXIT_UNREACHABLE = 5
EXIT_MEDIA = 6
EXIT_DISCONNECTED = 7
EXIT_LOST = 8
EXIT_REJOINED = 9
EXIT_INTERRUPTED = 130

EXIT_CODES: Mapping[ErrorCode, int] = MappingProxyType({
    ErrorCode.CONFERENCE_NOT_FOUND: EXIT_NOT_FOUND,
    ErrorCode.NODE_UNREACHABLE: EXIT_UNREACHABLE,
    ErrorCode.TLS_FAILURE: EXIT_UNREACHABLE,
    ErrorCode.NOT_A_PEXIP_NODE: EXIT_UNREACHABLE,
    ErrorCode.SERVICE_UNAVAILABLE: EXIT_UNREACHABLE,
    ErrorCode.PIN_NOT_GIVEN: EXIT_PIN,
    ErrorCode.INVALID_PIN: EXIT_PIN,
    ErrorCode.MEDIA_FAILED: EXIT_MEDIA,
    ErrorCode.DISCONNECTED_BY_NODE: EXIT_DISCONNECTED,
    ErrorCode.TOKEN_EXPIRED: EXIT_DISCONNECTED,
    ErrorCode.NODE_LOST: EXIT_LOST,
})

PROG = "pexip-kiosk call"
MEDIA_STATS_TIMEOUT = 2.0


@dataclass(frozen=True)
class CallPlan:
    """What to dial and how to answer the node's questions."""

    alias: str
    pin: str | None = field(default=None, repr=False)
    guest: bool = False
    extension: str | None = None
    seconds: float = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `pexip-kiosk call`."""
    parser.add_argument("--node", help="https address of the Conferencing Node (PEXIP_NODE)")
    parser.add_argument("--alias", help="meeting alias to dial (PEXIP_CONFERENCE)")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--pin-stdin", action="store_true",
                     help="read the PIN from standard input (never give it on the command line)")
    who.add_argument("--guest", action="store_true",
                     help="join as a guest where only hosts need a PIN")
    parser.add_argument("--extension", metavar="NUMBER",
                        help="meeting number to give a Virtual Reception")
    parser.add_argument("--display-name", metavar="NAME",
                        help="name shown to others (PEXIP_DISPLAY_NAME)")
    parser.add_argument("--seconds", type=_seconds, default=10.0,
                        help="how long to stay in the meeting (default 10)")
    parser.add_argument("--ca-bundle", metavar="FILE", help="CA bundle to trust (PEXIP_CA_BUNDLE)")
    parser.add_argument("--no-media", action="store_true",
                        help="join control-only: a participant with no audio/video call")
    parser.add_argument("--camera",
                        help="KIOSK_CAMERA: auto, a /dev/video path, test, file:PATH, none")
    parser.add_argument("--microphone", help="KIOSK_MICROPHONE: default, a device, test, none")
    parser.add_argument("--speaker", help="KIOSK_SPEAKER: default, a device, test, none")
    parser.add_argument("--env-file", type=Path, default=None,
                        help="settings file (default .env if there is one; the environment wins)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 86400")
    return value


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the .env file and the environment, overridden by the flags."""
    # A file named with --env-file must exist; the default .env is optional.
    settings = load_settings(env_file=args.env_file or DEFAULT_ENV_FILE, require_node=False,
                             env_file_required=args.env_file is not None)
    overrides: dict[str, Any] = {}
    if args.node:
        overrides["node"] = validate_node_url(args.node, key="--node")
    if args.ca_bundle:
        path = Path(args.ca_bundle).expanduser()
        check_ca_bundle("--ca-bundle", path)
        overrides["ca_bundle"] = path
        overrides["verify_tls"] = True
    if args.display_name is not None:
        if not args.display_name.strip():
            raise ConfigError("--display-name", "must not be empty")
        overrides["display_name"] = args.display_name.strip()
    for name in ("camera", "microphone", "speaker"):
        value = getattr(args, name)
        if value is not None:
            if not value.strip():
                raise ConfigError(f"--{name}", "must not be empty")
            overrides[name] = value.strip()
    settings = dataclasses.replace(settings, **overrides)
    if not settings.node:
        raise ConfigError("PEXIP_NODE", "is not set (give --node or set PEXIP_NODE)")
    return settings


def plan_from_args(args: argparse.Namespace, settings: Settings, stdin: TextIO) -> CallPlan:
    """What to dial; the PIN comes from stdin (hidden prompt on a terminal)."""
    alias = (args.alias or settings.conference).strip()
    if not alias:
        raise ConfigError("--alias", "is required (or set PEXIP_CONFERENCE)")
    pin = None
    if args.pin_stdin:
        pin = getpass.getpass("PIN: ") if stdin.isatty() else stdin.readline()
        pin = pin.strip()
    extension = args.extension.strip() if args.extension is not None else None
    return CallPlan(alias=alias, pin=pin, guest=args.guest, extension=extension,
                    seconds=args.seconds)


def load_media_factory(settings: Settings, no_media: bool) -> tuple[MediaFactory | None, str]:
    """The aiortc media factory, or None for a control-only join; and the media mode in words.

    Raises ImportError when the media libraries (aiortc, PyAV) are not installed.
    """
    if no_media:
        return None, "off"
    from kiosk.media.call_factory import AiortcMediaFactory

    if settings.node_is_loopback:
        # The far end is on this machine: ICE must offer 127.0.0.1 (see loopback_ice).
        from kiosk.media.loopback_ice import use_loopback_candidates_only

        use_loopback_candidates_only()
    return AiortcMediaFactory(settings), "on"


class _Reporter:
    """Writes the JSON lines and remembers what the summary needs."""

    def __init__(self, out: TextIO, started: float) -> None:
        self.out = out
        self.started = started
        self.states: list[str] = []
        self.last: SessionSnapshot = SessionSnapshot()
        self.token_at: float | None = None
        self.connected_at: float | None = None
        self.waiting_at: float | None = None
        self.in_meeting: SessionSnapshot | None = None
        # When the node stopped answering and when the room was back in (None: not yet).
        self.interruptions: list[dict[str, float | None]] = []

    def write(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.out.flush()

    def elapsed(self, at: float | None = None) -> float:
        return round((time.monotonic() if at is None else at) - self.started, 3)

    def on_snapshot(self, snapshot: SessionSnapshot) -> None:
        now = time.monotonic()
        previous, self.last = self.last, snapshot
        if snapshot.role and self.token_at is None:
            self.token_at = now
        if snapshot.state in IN_MEETING_STATES:
            self.in_meeting = snapshot
        if snapshot.state is SessionState.CONNECTED and self.connected_at is None:
            self.connected_at = now
        if snapshot.state is SessionState.WAITING_FOR_HOST and self.waiting_at is None:
            self.waiting_at = now
        if snapshot.node_lost_since is not None and previous.node_lost_since is None:
            self.interruptions.append({"lost_at": self.elapsed(snapshot.node_lost_since),
                                       "back_at": None})
        elif (snapshot.node_lost_since is None and previous.node_lost_since is not None
              and self.interruptions and snapshot.rejoins > previous.rejoins):
            self.interruptions[-1]["back_at"] = self.elapsed(now)
        if snapshot.state is not previous.state:
            self.states.append(snapshot.state.value)
            self.write({"event": "state", "t": self.elapsed(now), **describe_snapshot(snapshot)})
        elif snapshot.notice and snapshot.notice != previous.notice:
            self.write({"event": "notice", "t": self.elapsed(now),
                        "state": snapshot.state.value, "notice": snapshot.notice})


def describe_snapshot(snapshot: SessionSnapshot) -> dict[str, Any]:
    """The JSON-able fields of a snapshot for a state line (nothing secret is in it)."""
    record: dict[str, Any] = {
        "state": snapshot.state.value,
        "alias": snapshot.alias,
        "conference_name": snapshot.conference_name,
        "role": snapshot.role,
        "participant_count": snapshot.participant_count,
        "notice": snapshot.notice,
    }
    if snapshot.pin_attempts:
        record["pin_attempts"] = snapshot.pin_attempts
    if snapshot.pin_cooldown_remaining:
        record["pin_cooldown_remaining"] = snapshot.pin_cooldown_remaining
    if snapshot.error is not None:
        record["error"] = error_record(snapshot.error)
    return record


def error_record(error: SessionError) -> dict[str, str]:
    """An error as JSON: its code and the sentence a room screen shows."""
    return {"code": error.code.value, "message": error.message}


async def _answer_questions(session: ConferenceSession, plan: CallPlan) -> tuple[int, str] | None:
    """Give the meeting number and PIN the node asks for; an exit code if that fails."""
    extension_given = pin_given = False
    while True:
        state = session.snapshot.state
        if state is SessionState.EXTENSION_REQUIRED:
            if plan.extension is None:
                return EXIT_USAGE, "this alias is a Virtual Reception: give --extension NUMBER"
            if extension_given:
                return EXIT_NOT_FOUND, "no meeting has that number"
            extension_given = True
            await session.submit_extension(plan.extension)
        elif state in PIN_STATES:
            if pin_given:
                return EXIT_PIN, session.snapshot.notice or "the PIN was not accepted"
            pin_given = True
            if plan.pin is not None:
                # "" (an empty line on stdin) joins as a guest where that is allowed.
                await session.submit_pin(plan.pin)
            elif plan.guest and state is SessionState.PIN_OPTIONAL:
                await session.join_as_guest()
            elif state is SessionState.PIN_OPTIONAL:
                return EXIT_PIN, "this meeting asks for a host PIN: use --pin-stdin or --guest"
            else:
                return EXIT_PIN, "this meeting needs a PIN: use --pin-stdin"
        else:
            return None


async def _media_summary(session: ConferenceSession, mode: str,
                         token_at: float | None) -> dict[str, Any]:
    media = session.media_call
    summary: dict[str, Any] = {"mode": mode}
    if media is None:
        return summary
    try:
        stats = await asyncio.wait_for(media.stats(), MEDIA_STATS_TIMEOUT)
    except Exception as exc:
        log.warning("Media stats unavailable: %s", type(exc).__name__)
        return summary
    summary.update(dataclasses.asdict(stats))
    first = summary.pop("first_remote_frame_at", None)
    summary["token_to_first_remote_frame_s"] = (
        round(first - token_at, 3) if first is not None and token_at is not None else None)
    summary["camera"] = media.camera.state.value
    summary["camera_reason"] = media.camera.reason
    summary["microphone"] = media.microphone.state.value
    summary["speaker"] = media.speaker.state.value
    return summary


async def run_call(
    settings: Settings,
    plan: CallPlan,
    media_factory: MediaFactory | None = None,
    media_mode: str = "off",
    redactor: RedactingFilter | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Join per `plan`, stay `plan.seconds`, leave; JSON lines to `out`, and one line saying
    why to `err` when the call did not succeed; returns the exit code."""
    reporter = _Reporter(out or sys.stdout, time.monotonic())
    session = ConferenceSession(settings, media_factory=media_factory, redactor=redactor)
    ended = asyncio.Event()  # the session ended by itself, or the user interrupted

    def watch(snapshot: SessionSnapshot) -> None:
        reporter.on_snapshot(snapshot)
        if snapshot.state in (SessionState.ERROR, SessionState.IDLE):
            ended.set()

    session.subscribe(watch)
    interrupted = _install_signal_handlers(ended)
    exit_code, problem = EXIT_OK, ""
    media: dict[str, Any] = {"mode": media_mode}
    await session.join(plan.alias)
    answer = await _answer_questions(session, plan)
    if answer is not None:
        exit_code, problem = answer
    elif session.snapshot.state in IN_MEETING_STATES:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ended.wait(), plan.seconds)
        media = await _media_summary(session, media_mode, reporter.token_at)
    final = session.snapshot
    if final.error is not None:
        exit_code = EXIT_CODES.get(final.error.code, EXIT_FAILED)
        problem = final.error.message
    elif interrupted.is_set():
        exit_code, problem = EXIT_INTERRUPTED, "interrupted"
    elif final.node_lost_since is not None:
        # Never "joined and left cleanly": the room was not in its meeting at the end.
        exit_code = EXIT_LOST
        problem = "the meeting service was not answering when the stay ended"
    elif final.rejoins:
        exit_code = EXIT_REJOINED
        problem = (f"the meeting service stopped answering {final.rejoins} time(s); "
                   "the room rejoined the meeting")
    leave_started = time.monotonic()
    await session.leave()
    left_at = time.monotonic()
    if problem:
        (err or sys.stderr).write(f"{PROG}: {problem}\n")
    reporter.write(_summary(reporter, final, exit_code, problem, media, leave_started, left_at))
    return exit_code


def _summary(reporter: _Reporter, final: SessionSnapshot, exit_code: int, problem: str,
             media: dict[str, Any], leave_started: float, left_at: float) -> dict[str, Any]:
    shown = reporter.in_meeting or final

    def since_start(at: float | None) -> float | None:
        return reporter.elapsed(at) if at is not None else None

    return {
        "event": "summary",
        "exit_code": exit_code,
        "problem": problem,
        "alias": final.alias or shown.alias,
        "conference_name": shown.conference_name,
        "states": reporter.states,
        "role": shown.role,
        "participant_count": shown.participant_count,
        "token_refreshes": final.token_refreshes,
        "rejoins": final.rejoins,
        "interruptions": reporter.interruptions,
        "error": error_record(final.error) if final.error else None,
        "timings": {
            "token_s": since_start(reporter.token_at),
            "connected_s": since_start(reporter.connected_at),
            "waiting_s": since_start(reporter.waiting_at),
            "leave_s": round(left_at - leave_started, 3),
            "total_s": reporter.elapsed(left_at),
        },
        "media": media,
    }


def _install_signal_handlers(ended: asyncio.Event) -> asyncio.Event:
    """Ctrl-C / SIGTERM end the stay early (`ended`); the room still leaves cleanly."""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        interrupted.set()
        ended.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        # Only possible in the main thread; elsewhere the default handling stays.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, on_signal)
    return interrupted


def run(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """`pexip-kiosk call`: settings, PIN, media, then the call; returns the exit code.

    Every failure is one line on stderr and an exit code, never a traceback.
    """
    err = sys.stderr
    try:
        settings = settings_from_args(args)
        plan = plan_from_args(args, settings, stdin or sys.stdin)
    except ConfigError as exc:
        err.write(f"{PROG}: {exc}\n")
        return EXIT_USAGE
    except (KeyboardInterrupt, EOFError):  # Ctrl-C / Ctrl-D at the PIN prompt
        err.write(f"\n{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    redactor = configure_logging(settings.log_level)
    if plan.pin:
        redactor.add_secret(plan.pin)
    try:
        factory, mode = load_media_factory(settings, args.no_media)
        return asyncio.run(run_call(settings, plan, factory, mode, redactor, out, err))
    except ImportError as exc:
        err.write(f"{PROG}: media is not available ({exc}); --no-media joins without it\n")
        return EXIT_MEDIA
    except ConfigError as exc:
        err.write(f"{PROG}: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:  # before the call's own Ctrl-C handling was in place
        err.write(f"\n{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    finally:
        remove_logging(redactor)
