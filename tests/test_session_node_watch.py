"""NodeWatch on a made-up clock: what counts as "the node is not answering", and what not."""

from __future__ import annotations

import asyncio

import pytest

from kiosk.infinity.errors import NodeUnreachable, ServiceUnavailable
from kiosk.session import node_watch
from kiosk.session.node_watch import NodeWatch


class Node:
    """A node whose status check answers (or not) as the test says, on a test clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.last_line = 1000.0
        self.answers = True
        self.probes = 0
        self.lost: list[str] = []

    async def probe(self) -> bool:
        self.probes += 1
        return self.answers

    def watch(self) -> NodeWatch:
        return NodeWatch(probe=self.probe, last_line_at=lambda: self.last_line,
                         on_lost=self.lost.append, clock=lambda: self.now)


@pytest.fixture(autouse=True)
def quick_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(node_watch, "TICK_SECONDS", 0.005)


async def settle() -> None:
    await asyncio.sleep(0.05)


async def test_a_stream_that_delivers_lines_is_never_probed() -> None:
    node = Node()
    watch = node.watch()
    watch.start()
    for _ in range(20):
        node.now += 1.0
        node.last_line = node.now - 0.5
        await settle()
    assert node.probes == 0 and node.lost == []
    await watch.stop()


async def test_a_silent_stream_gets_probed_and_a_failed_probe_is_a_loss() -> None:
    node = Node()
    watch = node.watch()
    watch.start()
    node.now += node_watch.SILENCE_SECONDS - 0.1
    await settle()
    assert node.probes == 0  # not yet silent long enough
    node.now += 0.2
    await settle()
    assert node.probes == 1 and node.lost == []  # it answered: fine
    node.now += 1.0
    await settle()
    assert node.probes == 1  # not again before PROBE_INTERVAL
    node.answers = False
    node.now += node_watch.PROBE_INTERVAL
    await settle()
    assert node.probes == 2
    assert len(node.lost) == 1 and "silent" in node.lost[0]
    await watch.stop()


@pytest.mark.parametrize(
    ("failure", "answers", "lost"),
    [
        (NodeUnreachable("the connection to x was refused"), False, True),
        (NodeUnreachable("the connection to x was refused"), True, False),  # only slow once
        (TimeoutError(), False, True),
        (NodeUnreachable("the certificate is not trusted", tls=True), False, False),
        (ServiceUnavailable("busy", 3.0, status=503), False, False),  # busy is answering
    ],
)
async def test_a_failed_reconnect_or_refresh_is_a_loss_only_if_the_probe_fails_too(
    failure: BaseException, answers: bool, lost: bool
) -> None:
    for report in ("stream_failed", "refresh_failed"):
        node = Node()
        node.answers = answers
        watch = node.watch()
        watch.start()
        getattr(watch, report)(failure)
        await settle()
        assert bool(node.lost) is lost, (report, failure)
        await watch.stop()


async def test_a_media_failure_asks_at_once_and_the_loss_is_reported_once() -> None:
    node = Node()
    watch = node.watch()
    watch.start()
    assert await watch.check() is True
    node.answers = False
    assert await watch.check() is False
    assert await watch.check() is False
    watch.stream_failed(NodeUnreachable("refused"))
    await settle()
    assert len(node.lost) == 1
    await watch.stop()
