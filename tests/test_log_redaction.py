"""PINs and tokens never reach a log line: the filter alone, and a real join at DEBUG level."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_node import Reply, ScriptedNode

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.infinity.client import ClientTimeouts, InfinityClient
from kiosk.infinity.errors import InvalidPin, PinRequired
from kiosk.known_secrets import LIFETIME_SLACK, SUPERSEDED_GRACE, KnownSecrets
from kiosk.log_redaction import MASK, RedactingFilter, configure_logging, remove_logging
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread

PIN = "86420"
TOKEN = "TOKEN-first-7f3a9c"
NEW_TOKEN = "TOKEN-second-b81e44"


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    filters = {handler: list(handler.filters) for handler in handlers}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler, kept in filters.items():
        handler.filters[:] = kept
    root.setLevel(level)


def record(message: str, *args: object, exc_info: bool = False) -> logging.LogRecord:
    return logging.LogRecord(
        "test", logging.INFO, __file__, 1, message, args, sys.exc_info() if exc_info else None
    )


def test_registered_secrets_are_blanked_in_message_and_arguments() -> None:
    redactor = RedactingFilter()
    redactor.add_secret(PIN)
    redactor.add_secret(TOKEN)
    entry = record("joined with %s, token %r, extra %s", PIN, {"t": TOKEN}, [TOKEN])

    assert redactor.filter(entry)

    message = entry.getMessage()
    assert PIN not in message
    assert TOKEN not in message
    assert message == "joined with ***, token {'t': '***'}, extra ['***']"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("header pin: 1234", "header pin: ***"),
        ("headers {'token': 'abc.def', 'pin': '99'}", "headers {'token': '***', 'pin': '***'}"),
        ('{"token": "abc", "expires": "120"}', '{"token": "***", "expires": "120"}'),
        ("GET /events?token=abc&x=1", "GET /events?token=***&x=1"),
        ("Token=abc", "Token=***"),
        ("refresh_token event; guest_pin: required", "refresh_token event; guest_pin: required"),
        ("the token was refreshed", "the token was refreshed"),
    ],
)
def test_token_and_pin_patterns_are_blanked(text: str, expected: str) -> None:
    assert RedactingFilter().redact(text) == expected


def test_exception_text_is_redacted() -> None:
    redactor = RedactingFilter()
    redactor.add_secret(TOKEN)
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError:
        entry = record("call failed", exc_info=True)

    redactor.filter(entry)

    formatted = logging.Formatter().format(entry)
    assert "RuntimeError" in formatted
    assert TOKEN not in formatted


def test_discarded_and_blank_secrets() -> None:
    redactor = RedactingFilter(max_secrets=2)
    redactor.add_secret("")
    redactor.add_secret("   ")
    assert redactor.redact("a b") == "a b"
    for secret in ("first-secret", "second-secret", "third-secret"):
        redactor.add_secret(secret)
    # Only the newest two are kept.
    assert redactor.redact("first-secret second-secret third-secret") == "first-secret *** ***"
    redactor.discard_secret("third-secret")
    assert redactor.redact("third-secret") == "third-secret"


def test_configure_logging_is_idempotent(restore_root_logger: None) -> None:
    first = configure_logging("INFO", stream=io.StringIO())
    second = configure_logging("debug")

    assert first is second
    root = logging.getLogger()
    assert root.level == logging.DEBUG
    assert all(first in handler.filters for handler in root.handlers)
    ours = [h for h in root.handlers if first in h.filters and isinstance(h, logging.StreamHandler)]
    assert len([h for h in ours if getattr(h, "redactor", None) is first]) == 1
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("LOUD")
    remove_logging(first)
    assert not any(first in handler.filters for handler in root.handlers)


def test_a_join_with_a_pin_at_debug_level_logs_no_pin_and_no_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, restore_root_logger: None
) -> None:
    stream = io.StringIO()
    redactor = configure_logging("DEBUG", stream=stream)
    careless = logging.getLogger("kiosk.careless_code")
    with ScriptedNode(tmp_path) as node:
        conference = "/conferences/meet.board"
        node.script(
            f"{conference}/request_token",
            Reply.result({"pin": "required", "guest_pin": "required"}, 403),
            Reply.result({
                "token": TOKEN, "expires": "120", "participant_uuid": "p-1",
                "display_name": "Board room", "role": "HOST",
            }),
        )
        node.script(f"{conference}/refresh_token",
                    Reply.result({"token": NEW_TOKEN, "expires": "120"}))
        node.script(f"{conference}/release_token", Reply.result(True))
        timeouts = ClientTimeouts(connect=2.0, read=5.0)
        with InfinityClient(node.url, verify=str(node.ca_bundle), timeouts=timeouts,
                            on_secret=redactor.add_secret) as client:
            with pytest.raises(PinRequired) as first_try:
                client.request_token("meet.board", "Board room")
            token = client.request_token("meet.board", "Board room", pin=f" {PIN} ")
            refreshed = client.refresh_token("meet.board", token)
            # Code that forgets the rules must still not leak anything.
            careless.debug("joined with PIN %s and token %s", PIN, token.token)
            careless.info("refreshed: %r", {"token": refreshed.token})
            careless.warning("headers sent: pin: %s token: %s", PIN, refreshed.token)
            client.release_token("meet.board", refreshed.token)
        node.script(f"{conference}/request_token", Reply.result("Invalid PIN", 403))
        with InfinityClient(node.url, verify=str(node.ca_bundle), timeouts=timeouts,
                            on_secret=redactor.add_secret) as client, pytest.raises(InvalidPin):
            client.request_token("meet.board", "Board room", pin=PIN)

    assert refreshed.token == NEW_TOKEN
    assert "PIN is required" in str(first_try.value)
    written = stream.getvalue()
    captured = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    # The logs were really captured at DEBUG, from urllib3 as well as from our code.
    assert "urllib3" in written
    assert "request_token -> HTTP 200" in written
    assert f"joined with PIN {MASK} and token {MASK}" in written
    assert "joined with PIN" in captured
    for text in (written, captured):
        for secret in (PIN, TOKEN, NEW_TOKEN):
            assert secret not in text


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_tokens_are_dropped_after_their_lifetime_and_the_set_stays_small() -> None:
    """4 s tokens refreshed every 2 s for an hour: a handful are known at any time."""
    clock = FakeClock()
    secrets = KnownSecrets(clock=clock)
    redactor = RedactingFilter(secrets=secrets)
    redactor.add_secret("246813")  # a PIN: kept
    previous = None
    largest = 0
    for number in range(1800):
        token = f"token-{number:05d}-a8f3e1c9"
        if previous is None:
            redactor.add_secret(token)  # the client registers it first, without a lifetime
            redactor.add_secret(token, lifetime=4.0)
        else:
            redactor.add_secret(token)
            redactor.supersede_secret(previous, token, lifetime=4.0)
        assert redactor.redact(f"using {token} now") == "using *** now"
        largest = max(largest, len(secrets))
        previous = token
        clock.now += 2.0
    # Alive: the PIN and the tokens of the last (4 + slack) s.
    assert largest <= 2 + int((4.0 + LIFETIME_SLACK) / 2.0)
    assert redactor.redact("token-00000-a8f3e1c9 and 246813") == "token-00000-a8f3e1c9 and ***"


def test_the_scanned_set_is_rebuilt_only_when_it_changes() -> None:
    clock = FakeClock()
    secrets = KnownSecrets(clock=clock)
    redactor = RedactingFilter(secrets=secrets)
    redactor.add_secret("first-secret", lifetime=60)
    redactor.add_secret("second-secret")
    built = secrets.rebuilds
    for _ in range(1000):
        redactor.redact("a line with first-secret and second-secret")
    redactor.add_secret("first-secret", lifetime=90)  # known already: a new lifetime only
    assert secrets.rebuilds == built
    clock.now += 200
    assert redactor.redact("first-secret second-secret") == "first-secret ***"
    assert secrets.rebuilds == built + 1


def test_a_superseded_token_is_blanked_for_the_grace_period_only() -> None:
    clock = FakeClock()
    redactor = RedactingFilter(secrets=KnownSecrets(clock=clock))
    redactor.add_secret("old-token-1234", lifetime=120)
    redactor.supersede_secret("old-token-1234", "new-token-5678", lifetime=120)
    clock.now += SUPERSEDED_GRACE - 1
    assert redactor.redact("old-token-1234 new-token-5678") == "*** ***"
    clock.now += 2
    assert redactor.redact("old-token-1234 new-token-5678") == "old-token-1234 ***"


def test_the_longest_secret_is_blanked_whole() -> None:
    redactor = RedactingFilter()
    redactor.add_secret("1234")
    redactor.add_secret("token-1234-abcd")
    assert redactor.redact("token-1234-abcd then 1234") == "*** then ***"


async def test_a_long_meeting_keeps_only_its_live_tokens(
    short_token_simulator: SimulatorThread,
) -> None:
    """2 s tokens, refreshed every second: the first ones are forgotten, the newest is known."""
    sim = short_token_simulator
    redactor = RedactingFilter()
    session = ConferenceSession(
        Settings(node=sim.url, ca_bundle=sim.ca_bundle, display_name="Test room"),
        redactor=redactor,
    )
    await session.join("meet.open")
    assert session.snapshot.state is SessionState.CONNECTED
    first = redactor.known_secrets.current()
    deadline = time.monotonic() + 60
    while session.snapshot.token_refreshes < 12:
        assert time.monotonic() < deadline, "the token was not refreshed often enough"
        await asyncio.sleep(0.2)
    alive = redactor.known_secrets.current()
    newest = session._meeting.token
    await session.leave()

    assert newest is not None and newest.token in alive
    assert not set(first) & set(alive)  # the first token is long gone from the set
    # A token lives 2 s (+ slack) and a refresh comes every second.
    assert len(alive) <= 2 + LIFETIME_SLACK + 2
