"""ConferenceSession joining every kind of room of the real simulator over loopback HTTPS."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.log_redaction import RedactingFilter
from kiosk.session_state import ErrorCode, SessionState
from kiosk.simulator.background import SimulatorThread

S = SessionState


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def own_entry(simulator: SimulatorThread, alias: str, name: str = "Test room") -> dict | None:
    return next((p for p in simulator.control.room(alias)["participants"]
                 if p["display_name"] == name), None)


async def test_open_room_connects_then_leaves(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    started = time.monotonic()
    await session.join("meet.open")
    joined = session.snapshot
    assert joined.state is S.CONNECTED, joined
    # Joining waits for no timeout (the client's shortest, connect, is 5 s). Speed itself
    # is measured by bench/join_latency.py, not here.
    assert time.monotonic() - started < 5.0
    assert joined.role == "HOST"
    assert joined.conference_name == "Open meeting"
    assert joined.alias == "meet.open"
    assert joined.connected_since is not None
    assert joined.error is None
    # The roster arrives over the event stream: this room alone, counted.
    await watch.until(lambda s: s.participant_count == 1, what="roster")
    entry = await asyncio.to_thread(own_entry, simulator, "meet.open")
    assert entry is not None and entry["event_streams"] == 1
    await session.leave()
    assert session.snapshot.state is S.IDLE
    assert watch.states == [S.CONNECTING, S.CONNECTED, S.DISCONNECTING, S.IDLE]
    # Observers run on the loop thread only.
    assert watch.threads == {threading.get_ident()}
    room = await asyncio.to_thread(simulator.control.room, "meet.open")
    assert room["participants"] == []
    assert room["departed"][-1]["reason"] == "Released token"


async def test_wrong_pins_cool_down_then_the_right_pin_joins(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    redactor = RedactingFilter()
    session = ConferenceSession(sim_settings, redactor=redactor)
    watch = SessionWatch(session)
    await session.join("meet.board")
    assert session.snapshot.state is S.PIN_REQUIRED

    # Refused locally, never sent: empty (no guests here), guest, malformed.
    await session.submit_pin("")
    assert session.snapshot.notice == "Please enter the PIN."
    await session.join_as_guest()
    assert session.snapshot.notice == "This meeting needs a PIN."
    await session.submit_pin("12ab")
    assert session.snapshot.notice == "A PIN is 1 to 20 digits."
    assert session.snapshot.pin_attempts == 0

    for attempt in (1, 2):
        await session.submit_pin("1111#")
        assert session.snapshot.state is S.PIN_REQUIRED
        assert session.snapshot.notice == "Incorrect PIN — try again"
        assert session.snapshot.pin_attempts == attempt
    before_third = len(watch.snapshots)
    await session.submit_pin("1111")
    assert session.snapshot.state is S.PIN_REQUIRED
    # The snapshot published by the third wrong PIN itself (the countdown may have moved
    # on by the time a loaded machine runs this line).
    third = next(i for i, s in enumerate(watch.snapshots) if i >= before_third
                 and s.pin_attempts == 3)
    cooling = watch.snapshots[third]
    assert cooling.state is S.PIN_REQUIRED
    assert cooling.pin_cooldown_remaining == 2.0
    assert cooling.notice == "Too many wrong PINs. Try again in 2 s"

    # Even the right PIN is refused during the cool-down, without asking the node.
    await session.submit_pin("2468")
    assert session.snapshot.state is S.PIN_REQUIRED
    assert session.snapshot.notice.startswith("Too many wrong PINs. Try again in")
    assert (await asyncio.to_thread(simulator.control.room, "meet.board"))["participants"] == []

    await watch.until(lambda s: s.pin_cooldown_remaining == 0, what="cool-down end")
    # Republished once per whole second as it counts down, then cleared.
    assert watch.values("pin_cooldown_remaining", since=third) == [2.0, 1.0, 0.0]
    assert session.snapshot.notice == "" and session.snapshot.pin_attempts == 0

    await session.submit_pin(" 2468# ")
    assert session.snapshot.state is S.CONNECTED
    assert session.snapshot.role == "HOST"
    assert session.snapshot.pin_attempts == 0
    assert redactor.redact("pin 2468 sent") == "pin *** sent"
    await session.leave()
    assert session.snapshot.state is S.IDLE


async def test_guest_waits_for_the_host_then_is_let_in(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join("meet.team")
    assert session.snapshot.state is S.PIN_OPTIONAL
    await session.join_as_guest()
    waiting = session.snapshot
    assert waiting.state is S.WAITING_FOR_HOST
    assert waiting.role == "GUEST"
    assert waiting.connected_since is None
    await asyncio.to_thread(simulator.control.host_joins, "meet.team")
    connected = await watch.state(S.CONNECTED)
    assert connected.connected_since is not None
    # Counted: this room and the host (guests still waiting are not).
    await watch.until(lambda s: s.participant_count == 2, what="two in the meeting")
    await session.leave()
    assert watch.states == [S.CONNECTING, S.PIN_OPTIONAL, S.CONNECTING, S.WAITING_FOR_HOST,
                            S.CONNECTED, S.DISCONNECTING, S.IDLE]


async def test_host_pin_in_an_optional_room_joins_directly(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join("meet.team")
    await session.submit_pin("1234")
    assert session.snapshot.state is S.CONNECTED
    assert session.snapshot.role == "HOST"
    await session.leave()


async def test_virtual_reception_number_then_pin(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join("reception")
    assert session.snapshot.state is S.EXTENSION_REQUIRED
    assert session.snapshot.extension_kind == "standard"
    await session.submit_extension("10a3")
    assert session.snapshot.notice == "A meeting number is 1 to 20 digits."
    await session.submit_extension("9999")
    assert session.snapshot.state is S.EXTENSION_REQUIRED
    assert session.snapshot.notice == "No meeting has that number — try again"
    await session.submit_extension("1003#")
    assert session.snapshot.state is S.PIN_REQUIRED
    await session.submit_pin("2468")
    joined = session.snapshot
    assert joined.state is S.CONNECTED
    assert joined.role == "HOST"
    assert joined.conference_name == "Board meeting"
    entry = await asyncio.to_thread(own_entry, simulator, "meet.board")
    assert entry is not None and entry["entry_alias"] == "reception"
    await session.leave()
    assert (await asyncio.to_thread(simulator.control.room, "meet.board"))["participants"] == []


async def test_unknown_meeting_is_an_error(sim_settings: Settings) -> None:
    session = ConferenceSession(sim_settings)
    await session.join("meet.nowhere")
    error = session.snapshot.error
    assert session.snapshot.state is S.ERROR
    assert error is not None and error.code is ErrorCode.CONFERENCE_NOT_FOUND
    assert error.message == "This meeting could not be found. Check the meeting ID."
    await session.leave()
    assert session.snapshot.state is S.IDLE and session.snapshot.error is None


async def test_node_down_is_node_unreachable() -> None:
    settings = Settings(node=f"https://127.0.0.1:{closed_port()}", display_name="Test room")
    session = ConferenceSession(settings)
    assert await session.check_node() is False
    await session.join("meet.open")
    error = session.snapshot.error
    assert session.snapshot.state is S.ERROR
    assert error is not None and error.code is ErrorCode.NODE_UNREACHABLE
    assert error.message == "Can't reach the meeting service. Check the network."


async def test_untrusted_certificate_is_a_tls_failure(simulator: SimulatorThread) -> None:
    # No ca_bundle: the simulator's throw-away CA is not trusted.
    settings = Settings(node=simulator.url, display_name="Test room")
    session = ConferenceSession(settings)
    await session.join("meet.open")
    error = session.snapshot.error
    assert error is not None and error.code is ErrorCode.TLS_FAILURE
    assert error.message == "The meeting service's certificate is not trusted."
    assert (await asyncio.to_thread(simulator.control.room, "meet.open"))["participants"] == []


async def test_check_node_is_true_for_the_simulator(sim_settings: Settings) -> None:
    assert await ConferenceSession(sim_settings).check_node() is True


async def test_cancel_at_the_pin_prompt_returns_home(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join("meet.board")
    await session.cancel()
    assert session.snapshot.state is S.IDLE
    # And the session can join again afterwards.
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_cancel_while_connecting_releases_the_late_token(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    reply_delay = 2.0
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", delay=reply_delay)
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    joining = asyncio.create_task(session.join("meet.open"))
    await watch.state(S.CONNECTING)
    started = time.monotonic()
    await session.cancel()
    assert session.snapshot.state is S.IDLE
    # cancel() did not wait for the node's (delayed) reply.
    assert time.monotonic() - started < reply_delay * 0.75
    await asyncio.wait_for(joining, 5.0)  # join() returns, without an exception
    assert session.snapshot.state is S.IDLE

    def released() -> bool:
        room = simulator.control.room("meet.open")
        return not room["participants"] and any(
            d["reason"] == "Released token" for d in room["departed"])

    deadline = time.monotonic() + reply_delay + 5.0
    while not await asyncio.to_thread(released):
        assert time.monotonic() < deadline, "the token of the cancelled join was not released"
        await asyncio.sleep(0.1)
    assert S.CONNECTED not in watch.states


async def test_a_failing_observer_does_not_break_the_session(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)

    def broken(_snapshot: object) -> None:
        raise RuntimeError("observer bug")

    session.subscribe(broken)
    watch = SessionWatch(session)
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    watch.unsubscribe()
    count = len(watch.snapshots)
    await session.leave()
    assert len(watch.snapshots) == count  # unsubscribed: no more calls
    assert session.snapshot.state is S.IDLE


async def test_refused_join_shows_the_node_reason(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=503)
    session = ConferenceSession(sim_settings)
    await session.join("meet.open")
    error = session.snapshot.error
    assert error is not None and error.code is ErrorCode.SERVICE_UNAVAILABLE
    assert error.message == "The meeting service is busy. Try again in a moment."
    # A retry after the fault works: nothing was left behind.
    await session.join("meet.open")
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_controls_reach_the_node(simulator: SimulatorThread, sim_settings: Settings) -> None:
    session = ConferenceSession(sim_settings)
    await session.join("meet.open")
    await session.set_microphone_muted(True)
    await session.set_camera_muted(True)
    assert session.snapshot.microphone_muted and session.snapshot.camera_muted
    await session.send_dtmf("12#")
    await session.send_dtmf("12x")
    assert session.snapshot.notice == "Only 0–9, *, # and A–D can be sent."
    room = await asyncio.to_thread(simulator.control.room, "meet.open")
    entry = next(p for p in room["participants"] if p["display_name"] == "Test room")
    assert entry["is_muted"] == "YES" and entry["is_video_muted"] is True
    assert [d["digits"] for d in room["dtmf"]] == ["12#"]
    await session.set_microphone_muted(False)
    entry = await asyncio.to_thread(own_entry, simulator, "meet.open")
    assert entry is not None and entry["is_muted"] == "NO"
    await session.leave()


async def test_quick_key_presses_reach_the_meeting_in_order(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    await session.join("meet.open")
    # Eight keys pressed faster than the node answers: each one is its own request.
    presses = "1#5*9A0D"
    await asyncio.gather(*(session.send_dtmf(key) for key in presses))
    room = await asyncio.to_thread(simulator.control.room, "meet.open")
    assert "".join(d["digits"] for d in room["dtmf"]) == presses
    await session.leave()


async def test_display_name_comes_from_settings(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(dataclasses.replace(sim_settings, display_name="Room 4.12"))
    await session.join("meet.open")
    assert await asyncio.to_thread(own_entry, simulator, "meet.open", "Room 4.12") is not None
    await session.leave()


@pytest.mark.parametrize("alias", ["", "   "])
async def test_an_empty_alias_is_not_found(sim_settings: Settings, alias: str) -> None:
    session = ConferenceSession(sim_settings)
    await session.join(alias)
    assert session.snapshot.error is not None
    assert session.snapshot.error.code is ErrorCode.CONFERENCE_NOT_FOUND


async def test_join_goes_on_when_its_caller_stops_waiting(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    """A UI that cancels the awaiting coroutine does not leave the session half-joined."""
    await asyncio.to_thread(simulator.control.inject_fault, "request_token", delay=0.5)
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    joining = asyncio.create_task(session.join("meet.open"))
    await watch.state(S.CONNECTING)
    joining.cancel()
    await watch.state(S.CONNECTED)
    await session.leave()
    assert session.snapshot.state is S.IDLE
