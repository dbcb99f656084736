"""A network cable pulled between the room and its node: packets dropped, nothing refused.

The node (a simulator thread) is reached through a `NetworkCable` relay on loopback.
Unplugged, the relay answers nothing and holds every byte: no reset, no refusal, the
event stream simply falls silent, exactly like a pulled cable or a dead router. The
session must notice within 10 s (its node watch probes a silent stream), show
RECONNECTING with "The meeting service is not answering — reconnecting…", and rejoin
the same meeting with a new token once the cable is back (or give up at the bound).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.session_state import ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.network_cable import NetworkCable

S = SessionState
NOTICE = "The meeting service is not answering — reconnecting…"
NOTICED_WITHIN = 10.0  # the bound for noticing a dead node

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def cable(simulator: SimulatorThread) -> Iterator[NetworkCable]:
    with NetworkCable("127.0.0.1", urlsplit(simulator.url).port or 0) as relay:
        yield relay


@pytest.fixture
def cable_settings(sim_settings: Settings, cable: NetworkCable) -> Settings:
    # The certificate names 127.0.0.1, whatever the port: TLS works through the relay.
    return dataclasses.replace(sim_settings, node=f"https://127.0.0.1:{cable.port}")


def kiosk_participants(simulator: SimulatorThread, alias: str = "meet.open") -> list[dict]:
    return [p for p in simulator.control.room(alias)["participants"] if not p["simulated"]]


async def only_one_participant(simulator: SimulatorThread, alias: str,
                               timeout: float = 15.0) -> dict:
    """Wait until the room is in `alias` once (the old participant's release is on its way)."""
    deadline = time.monotonic() + timeout
    while len(found := await asyncio.to_thread(kiosk_participants, simulator, alias)) != 1:
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.2)
    return found[0]


async def test_a_pulled_cable_is_noticed_and_the_room_rejoins_when_it_is_back(
    simulator: SimulatorThread, cable: NetworkCable, cable_settings: Settings
) -> None:
    session = ConferenceSession(cable_settings)
    watch = SessionWatch(session)
    await session.join("meet.team")
    await session.join_as_guest()
    await watch.state(S.WAITING_FOR_HOST)
    before = await asyncio.to_thread(kiosk_participants, simulator, "meet.team")
    assert len(before) == 1

    pulled = time.monotonic()
    cable.unplug()
    lost = await watch.state(S.RECONNECTING, timeout=30)
    assert time.monotonic() - pulled < NOTICED_WITHIN
    assert lost.notice == NOTICE and lost.node_lost_since is not None
    await asyncio.sleep(2)  # still not answering: still reconnecting, not an error
    assert session.snapshot.state is S.RECONNECTING

    cable.plug_in()
    back = await watch.until(lambda s: s.state is S.WAITING_FOR_HOST and s.rejoins == 1,
                             timeout=30, what="back in the meeting")
    assert back.notice == "" and back.node_lost_since is None
    assert back.role == "GUEST"  # the same choice as before: a guest, without the host PIN
    # A new participant, and the one from before the loss was released.
    after = await only_one_participant(simulator, "meet.team")
    assert after["uuid"] != before[0]["uuid"]
    # It is a working meeting again: the host arriving lets the room in.
    await asyncio.to_thread(simulator.control.host_joins, "meet.team")
    await watch.state(S.CONNECTED)
    assert S.ERROR not in watch.states
    await session.leave()
    assert session.snapshot.state is S.IDLE


async def test_the_room_gives_up_at_the_bound_the_settings_name(
    simulator: SimulatorThread, cable: NetworkCable, cable_settings: Settings
) -> None:
    settings = dataclasses.replace(cable_settings, reconnect_give_up_seconds=6.0)
    session = ConferenceSession(settings)
    watch = SessionWatch(session)
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    cable.unplug()
    await watch.state(S.RECONNECTING, timeout=30)
    lost_at = time.monotonic()
    ended = await watch.state(S.ERROR, timeout=60)
    assert ended.error is not None and ended.error.code is ErrorCode.NODE_LOST
    assert ended.error.message == (
        "The meeting service stopped answering, so the room left the meeting.")
    # Not before the bound, and not long after it (one status check's deadline).
    assert 5.0 <= time.monotonic() - lost_at < 6.0 + 10.0
    started = time.monotonic()
    await session.leave()  # quick, although the node still does not answer
    assert time.monotonic() - started < 6.0
    assert session.snapshot.state is S.IDLE


async def test_leaving_while_reconnecting_is_quick_and_final(
    simulator: SimulatorThread, cable: NetworkCable, cable_settings: Settings
) -> None:
    session = ConferenceSession(cable_settings)
    watch = SessionWatch(session)
    await session.join("meet.open")
    cable.unplug()
    await watch.state(S.RECONNECTING, timeout=30)
    started = time.monotonic()
    await session.leave()
    assert time.monotonic() - started < 6.0
    assert session.snapshot.state is S.IDLE
    cable.plug_in()
    # The room did not come back by itself after leaving.
    await asyncio.sleep(3)
    assert session.snapshot.state is S.IDLE
