"""ConferenceSession.join_request: a calendar meeting's known answers (PIN, meeting number,
node) are used once each when the node asks, against the real simulator."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.log_redaction import RedactingFilter
from kiosk.session.join_request import JoinRequest
from kiosk.session_state import ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.rooms import load_demo_rooms

S = SessionState


def names_in(simulator: SimulatorThread, alias: str) -> list[str]:
    return [p["display_name"] for p in simulator.control.room(alias)["participants"]]


async def test_a_pin_from_the_invitation_joins_without_the_pin_screen(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    redactor = RedactingFilter()
    session = ConferenceSession(sim_settings, redactor=redactor)
    watch = SessionWatch(session)
    with caplog.at_level(logging.DEBUG):
        await session.join_request(JoinRequest("meet.board", pin="2468"))
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    assert S.PIN_REQUIRED not in watch.states
    assert session.snapshot.role == "HOST"
    assert "2468" not in repr(JoinRequest("meet.board", pin="2468"))
    assert all("2468" not in redactor.redact(r.getMessage()) for r in caplog.records)
    await session.leave()


async def test_a_wrong_pin_from_the_invitation_ends_on_the_pin_screen(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join_request(JoinRequest("meet.team", pin="9999"))
    snapshot = session.snapshot
    # Guests may join this room: the prompt the people in the room see offers that too.
    assert snapshot.state is S.PIN_OPTIONAL, snapshot
    assert "Incorrect" in snapshot.notice
    assert snapshot.pin_attempts == 1
    # The invitation's PIN is used once only: the room types the right one now.
    await session.submit_pin("1234")
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_no_pin_in_the_invitation_waits_on_the_pin_screen(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join_request(JoinRequest("meet.board"))
    assert session.snapshot.state is S.PIN_REQUIRED
    assert session.snapshot.notice == ""
    await session.cancel()
    assert session.snapshot.state is S.IDLE


async def test_a_meeting_number_goes_to_the_virtual_reception_when_it_asks(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join_request(JoinRequest("reception", extension="1001"))
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    assert S.EXTENSION_REQUIRED not in watch.states
    assert "Test room" in await asyncio.to_thread(names_in, simulator, "meet.open")
    await session.leave()


async def test_an_unknown_meeting_number_leaves_the_room_to_type_one(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join_request(JoinRequest("reception", extension="4242"))
    snapshot = session.snapshot
    assert snapshot.state is S.EXTENSION_REQUIRED
    assert snapshot.notice.startswith("No meeting has that number")
    await session.submit_extension("1001")
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_a_meeting_on_another_node_is_joined_there_and_the_next_one_at_home(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    with SimulatorThread(load_demo_rooms()) as other:
        assert simulator.ca_bundle is not None and other.ca_bundle is not None
        both = tmp_path / "both.pem"
        both.write_text(simulator.ca_bundle.read_text() + other.ca_bundle.read_text())
        settings = dataclasses.replace(sim_settings, ca_bundle=both)
        session = ConferenceSession(settings)

        await session.join_request(JoinRequest("meet.open", node=other.url))
        assert session.snapshot.state is S.CONNECTED, session.snapshot
        assert "Test room" in await asyncio.to_thread(names_in, other, "meet.open")
        assert "Test room" not in await asyncio.to_thread(names_in, simulator, "meet.open")
        await session.leave()
        assert await asyncio.to_thread(names_in, other, "meet.open") == []

        await session.join("meet.open")
        assert session.snapshot.state is S.CONNECTED
        assert "Test room" in await asyncio.to_thread(names_in, simulator, "meet.open")
        # The node check is always about the room's own node.
        assert await session.check_node()
        await session.leave()


async def test_a_node_that_is_not_https_is_refused_before_any_request(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join_request(JoinRequest("meet.open", node="http://pexip.example.com"))
    snapshot = session.snapshot
    assert snapshot.state is S.ERROR
    assert snapshot.error is not None and snapshot.error.code is ErrorCode.NODE_UNREACHABLE
    await session.leave()
    assert session.snapshot.state is S.IDLE
