"""EventStreamReader against a scripted HTTPS node: parsing, reconnects, stop, fatal replies."""

from __future__ import annotations

import itertools
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from scripted_node import Reply, ScriptedNode

from kiosk.infinity.backoff import Backoff
from kiosk.infinity.client import ClientTimeouts, InfinityClient
from kiosk.infinity.errors import ConferenceNotFound, InvalidToken
from kiosk.infinity.event_stream import EventStreamReader, decode_event
from kiosk.infinity.keepalive_adapter import KEEPALIVE_IDLE_SECONDS
from kiosk.infinity.models import Event

ALIAS = "meet.team"
EVENTS = f"/conferences/{ALIAS}/events"
ROSTER = [
    ("participant_sync_begin", "null"),
    ("participant_create", '{"uuid": "p-1", "display_name": "Board room", "is_muted": "NO"}'),
    ("participant_sync_end", "null"),
]


class Recorder:
    """Collects what the reader reports, from its thread."""

    def __init__(self) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.connected: list[bool] = []
        self.fatal: list[Exception] = []
        self.changed = threading.Condition()

    def on_event(self, event: Event) -> None:
        self.events.put(event)

    def on_connected(self, connected: bool) -> None:
        with self.changed:
            self.connected.append(connected)
            self.changed.notify_all()

    def on_fatal(self, exc: Exception) -> None:
        with self.changed:
            self.fatal.append(exc)
            self.changed.notify_all()

    def next_events(self, count: int, timeout: float = 5.0) -> list[Event]:
        return [self.events.get(timeout=timeout) for _ in range(count)]

    def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout), "condition not reached in time"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedNode]:
    with ScriptedNode(tmp_path_factory.mktemp("events")) as scripted:
        yield scripted


@pytest.fixture
def client(node: ScriptedNode) -> Iterator[InfinityClient]:
    node.reset()
    timeouts = ClientTimeouts(connect=2.0, read=2.0)
    with InfinityClient(node.url, verify=str(node.ca_bundle), timeouts=timeouts) as infinity:
        yield infinity


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_reader(
    client: InfinityClient, recorder: Recorder
) -> Iterator[Callable[[Callable[[], str]], EventStreamReader]]:
    readers: list[EventStreamReader] = []

    def make(token_provider: Callable[[], str]) -> EventStreamReader:
        reader = EventStreamReader(
            client, ALIAS, token_provider, recorder.on_event,
            on_connected=recorder.on_connected, on_fatal=recorder.on_fatal,
            backoff=Backoff(initial=0.05, maximum=0.2),
        )
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        assert reader.stop(timeout=3.0)


def test_events_are_parsed_with_their_json_data(
    node: ScriptedNode, make_reader: Callable[..., EventStreamReader], recorder: Recorder
) -> None:
    node.script(
        EVENTS,
        Reply.stream(
            [*ROSTER,
             ("conference_update", '{"locked": false, "started": true}'),
             ("mystery_event", "not json {"),
             ("disconnect", '{"reason": "Conference host ended the conference"}')],
            hold_open=True,
        ),
        method="GET",
    )
    reader = make_reader(lambda: "TOKEN-1")
    reader.start()

    events = recorder.next_events(6)

    assert [e.name for e in events] == [
        "participant_sync_begin", "participant_create", "participant_sync_end",
        "conference_update", "mystery_event", "disconnect",
    ]
    assert events[0].data is None
    assert events[1].data == {"uuid": "p-1", "display_name": "Board room", "is_muted": "NO"}
    assert events[3].data == {"locked": False, "started": True}
    assert events[4].data is None  # undecodable: kept as an event without data
    assert events[5].data == {"reason": "Conference host ended the conference"}
    assert [e.id for e in events] == ["1", "2", "3", "4", "5", "6"]
    assert recorder.connected == [True]
    assert reader.connected
    (seen,) = node.seen(EVENTS)
    assert seen.headers["token"] == "TOKEN-1"
    assert seen.headers["accept"] == "text/event-stream"


def test_reconnects_after_a_drop_with_the_newest_token(
    node: ScriptedNode, make_reader: Callable[..., EventStreamReader], recorder: Recorder
) -> None:
    node.script(
        EVENTS,
        Reply.stream(ROSTER),  # the node drops this one after the roster
        Reply.stream([*ROSTER, ("participant_update", '{"uuid": "p-1"}')], hold_open=True),
        method="GET",
    )
    tokens = itertools.chain(["TOKEN-1"], itertools.repeat("TOKEN-2"))
    reader = make_reader(lambda: next(tokens))
    reader.start()

    events = recorder.next_events(7)

    assert [e.name for e in events][3:] == [
        "participant_sync_begin", "participant_create", "participant_sync_end",
        "participant_update",
    ]
    first, second = node.wait_for(EVENTS, 2)
    assert first.headers["token"] == "TOKEN-1"
    assert second.headers["token"] == "TOKEN-2"
    recorder.wait(lambda: recorder.connected == [True, False, True])
    assert reader.connections == 2


def test_stop_ends_a_blocked_read_promptly(
    node: ScriptedNode, make_reader: Callable[..., EventStreamReader], recorder: Recorder
) -> None:
    node.script(EVENTS, Reply.stream(ROSTER, hold_open=True), method="GET")
    reader = make_reader(lambda: "TOKEN-1")
    reader.start()
    recorder.next_events(3)  # now blocked reading a stream that sends nothing more
    time.sleep(0.2)

    started = time.monotonic()
    stopped = reader.stop(timeout=2.0)
    elapsed = time.monotonic() - started

    assert stopped
    assert elapsed < 2.0
    assert not reader.running
    assert len(node.seen(EVENTS)) == 1  # no reconnect after stop
    assert recorder.connected == [True]  # no callbacks once stopping


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply.result("Invalid token", 403), InvalidToken),
        (Reply.result("Neither conference nor gateway found", 404), ConferenceNotFound),
    ],
)
def test_fatal_replies_end_the_reader(
    node: ScriptedNode,
    make_reader: Callable[..., EventStreamReader],
    recorder: Recorder,
    reply: Reply,
    error: type[Exception],
) -> None:
    node.script(EVENTS, reply, method="GET")
    reader = make_reader(lambda: "TOKEN-OLD")
    reader.start()

    recorder.wait(lambda: bool(recorder.fatal))
    deadline = time.monotonic() + 2.0
    while reader.running and time.monotonic() < deadline:
        time.sleep(0.02)

    (fatal,) = recorder.fatal
    assert isinstance(fatal, error)
    assert "TOKEN-OLD" not in str(fatal)
    assert not reader.running
    assert len(node.seen(EVENTS)) == 1
    assert recorder.connected == []


@pytest.mark.parametrize(
    "failure",
    [
        Reply.result("Service busy", 503, headers={"Retry-After": "1"}),
        Reply.result({"not": "a stream"}),  # 200 but JSON: a protocol error, retried
        Reply(status=502, raw_body=b"<h1>Bad gateway</h1>"),
    ],
)
def test_temporary_failures_are_retried(
    node: ScriptedNode,
    make_reader: Callable[..., EventStreamReader],
    recorder: Recorder,
    failure: Reply,
) -> None:
    node.script(EVENTS, failure, failure, Reply.stream(ROSTER, hold_open=True), method="GET")
    reader = make_reader(lambda: "TOKEN-1")
    reader.start()

    assert [e.name for e in recorder.next_events(3)] == [name for name, _ in ROSTER]
    assert len(node.seen(EVENTS)) == 3
    assert recorder.fatal == []
    assert recorder.connected == [True]


def test_a_failing_callback_does_not_stop_the_reader(
    node: ScriptedNode, client: InfinityClient, recorder: Recorder
) -> None:
    node.script(EVENTS, Reply.stream(ROSTER, hold_open=True), method="GET")
    seen: list[str] = []

    def on_event(event: Event) -> None:
        seen.append(event.name)
        if event.name == "participant_sync_begin":
            raise RuntimeError("bug in a callback")
        recorder.on_event(event)

    reader = EventStreamReader(client, ALIAS, lambda: "TOKEN-1", on_event)
    reader.start()
    try:
        assert [e.name for e in recorder.next_events(2)] == [
            "participant_create", "participant_sync_end"
        ]
    finally:
        assert reader.stop()
    assert seen[0] == "participant_sync_begin"


def test_the_stream_socket_uses_tcp_keepalive(node: ScriptedNode, client: InfinityClient) -> None:
    node.script(EVENTS, Reply.stream(ROSTER, hold_open=True), method="GET")
    session = client.new_session()

    response = client.open_event_stream(ALIAS, "TOKEN-1", session=session)
    try:
        sock = response.raw.connection.sock
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        if hasattr(socket, "TCP_KEEPIDLE"):
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == (
                KEEPALIVE_IDLE_SECONDS
            )
        assert sock.gettimeout() is None  # no read timeout on the open stream
    finally:
        response.close()
        session.close()


@pytest.mark.parametrize(
    ("data", "expected"),
    [("null", None), ('{"a": 1}', {"a": 1}), ("[1, 2]", [1, 2]), ("{broken", None), ("", None)],
)
def test_decode_event(data: str, expected: Any) -> None:
    event = decode_event("x", data, "")
    assert event.data == expected
    assert event.id is None
    assert decode_event(None, data).name == "message"
