"""The node's process killed mid-meeting, then started again: `pexip-kiosk call` notices
within 10 s, shows RECONNECTING, rejoins the same meeting (and sets the call up again),
and never reports a meeting it lost as "joined and left cleanly".

The node is a simulator child process (plain http on loopback: a restarted simulator
has a new throw-away CA), killed with SIGKILL and started again on the same port.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from live_call import LiveCall

from kiosk.simulator.child_process import SimulatorProcess

NOTICE = "The meeting service is not answering — reconnecting…"
NOTICED_WITHIN = 10.0  # the bound for noticing a dead node
MEDIA = ["--camera", "test", "--microphone", "test", "--speaker", "test"]

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def node() -> Iterator[SimulatorProcess]:
    sim = SimulatorProcess(tls=False).start()
    yield sim
    sim.stop()


def port_of(sim: SimulatorProcess) -> int:
    return urlsplit(sim.url).port or 0


def kiosk_participants(sim: SimulatorProcess, alias: str) -> list[dict]:
    return [p for p in sim.control.room(alias)["participants"] if not p["simulated"]]


@pytest.mark.parametrize("media", [False, True], ids=["no-media", "media"])
def test_a_killed_node_is_noticed_and_the_room_rejoins_when_it_is_back(
    tmp_path: Path, node: SimulatorProcess, media: bool
) -> None:
    args = ["--node", node.url, "--alias", "meet.open", "--seconds", "30",
            *(MEDIA if media else ["--no-media"])]
    with LiveCall(tmp_path, *args, env={"KIOSK_LOG_LEVEL": "INFO"}) as call:
        call.wait_state("CONNECTED", timeout=30)
        killed = time.monotonic()  # before: the room may notice while kill() still returns
        node.kill()
        noticed, lost = call.wait_state("RECONNECTING", timeout=30, after=killed)
        assert noticed - killed < NOTICED_WITHIN
        assert lost["notice"] == NOTICE
        time.sleep(1.5)  # the node stays dead a moment: the room keeps trying
        again = SimulatorProcess(port=port_of(node), tls=False).start()
        try:
            call.wait_state("CONNECTED", timeout=30, after=noticed)
            # Back in the same meeting, as a new participant (with its call when it has one).
            rejoined = kiosk_participants(again, "meet.open")
            assert [p["display_name"] for p in rejoined] == ["Meeting room"]
            code, summary = call.finish(timeout=60)
        finally:
            again.stop()
    assert code == 9, call.stderr
    assert summary["states"] == ["CONNECTING", "CONNECTED", "RECONNECTING", "CONNECTED",
                                 "DISCONNECTING", "IDLE"]
    assert summary["rejoins"] == 1
    (interruption,) = summary["interruptions"]
    assert interruption["back_at"] is not None and interruption["back_at"] > interruption["lost_at"]
    assert "rejoined" in summary["problem"]
    if media:
        # The call was set up again with the new node, and media flowed on it.
        assert summary["media"]["mode"] == "on"
        assert summary["media"]["frames_received"] > 0


def test_a_node_that_stays_dead_ends_the_call_as_lost_at_the_bound(
    tmp_path: Path, node: SimulatorProcess
) -> None:
    args = ["--node", node.url, "--alias", "meet.open", "--seconds", "60", "--no-media"]
    with LiveCall(tmp_path, *args, env={"KIOSK_RECONNECT_GIVE_UP_SECONDS": "5"}) as call:
        call.wait_state("CONNECTED", timeout=30)
        killed = time.monotonic()  # before: the room may notice while kill() still returns
        node.kill()
        noticed, _ = call.wait_state("RECONNECTING", timeout=30, after=killed)
        assert noticed - killed < NOTICED_WITHIN
        ended, error = call.wait_state("ERROR", timeout=30, after=noticed)
        assert ended - noticed >= 4.5  # it kept trying up to the bound ...
        code, summary = call.finish(timeout=30)  # ... and the call ended then, not at 60 s
    assert code == 8
    assert error["error"] == {
        "code": "node_lost",
        "message": "The meeting service stopped answering, so the room left the meeting."}
    assert summary["error"]["code"] == "node_lost"
    assert summary["timings"]["total_s"] < 40


def test_a_stay_that_ends_while_reconnecting_is_reported_lost(
    tmp_path: Path, node: SimulatorProcess
) -> None:
    args = ["--node", node.url, "--alias", "meet.open", "--seconds", "8", "--no-media"]
    with LiveCall(tmp_path, *args) as call:
        call.wait_state("CONNECTED", timeout=30)
        node.kill()
        call.wait_state("RECONNECTING", timeout=30)
        code, summary = call.finish(timeout=60)
    assert code == 8  # never "joined and left cleanly" (0)
    assert summary["problem"] == "the meeting service was not answering when the stay ended"
    assert summary["states"][-3:] == ["RECONNECTING", "DISCONNECTING", "IDLE"]
    assert summary["interruptions"][0]["back_at"] is None
