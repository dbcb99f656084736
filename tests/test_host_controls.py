"""Host controls end to end against the simulator: the roster with its lobby, admitting
guests, lock, mute, remove, hands, a refused action, and role changes mid-call."""

from __future__ import annotations

import asyncio

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.session.room_view import HostAction, Outcome, RosterView
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread

S = SessionState
TEAM = "meet.team"
HOST_PIN = "1234"


async def host_session(sim_settings: Settings) -> tuple[ConferenceSession, SessionWatch]:
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join(TEAM)
    await watch.state(S.PIN_OPTIONAL)
    await session.submit_pin(HOST_PIN)
    await watch.state(S.CONNECTED)
    assert session.snapshot.role == "HOST"
    await watch.until(lambda s: s.participant_count >= 1, what="own roster entry")
    return session, watch


async def roster_until(session: ConferenceSession, predicate, what: str,
                       timeout: float = 10.0) -> RosterView:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate(session.roster):
        assert loop.time() < deadline, f"timed out waiting for {what}: {session.roster}"
        await asyncio.sleep(0.05)
    return session.roster


async def test_lobby_guests_are_listed_first_and_admitted_one_then_all(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, watch = await host_session(sim_settings)
    control = simulator.control
    first, _second = await asyncio.to_thread(control.lobby_guests, TEAM, ["Alex", "Sam"])
    view = await roster_until(session, lambda r: len(r.waiting) == 2, "two guests waiting")
    assert [e.name for e in view.entries[:2]] == ["Alex", "Sam"]  # the lobby first
    assert view.entries[2].is_self and view.entries[2].is_host
    assert session.snapshot.participant_count == 1  # guests in the lobby are not counted

    await session.host_action(HostAction.ADMIT, first)
    result = session.snapshot.meeting.last_result
    assert result is not None and result.outcome is Outcome.DONE and result.subject == "Alex"
    view = await roster_until(session, lambda r: len(r.waiting) == 1, "Alex admitted")
    assert view.find(first) is not None and not view.find(first).waiting

    await session.host_action(HostAction.ADMIT_ALL)
    await roster_until(session, lambda r: not r.waiting, "everyone admitted")
    await watch.until(lambda s: s.participant_count == 3, what="three in the meeting")
    await session.leave()


async def test_lock_mute_guests_mute_one_remove_and_hands(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, watch = await host_session(sim_settings)
    control = simulator.control
    await asyncio.to_thread(control.lobby_guests, TEAM, ["Guest One"])
    guest = (await roster_until(session, lambda r: bool(r.waiting), "a guest")).waiting[0].uuid
    await session.host_action(HostAction.ADMIT, guest)
    await roster_until(session, lambda r: not r.waiting, "admitted")

    await session.host_action(HostAction.LOCK)
    await watch.until(lambda s: s.meeting.locked and s.locked, what="locked")
    await session.host_action(HostAction.UNLOCK)
    await watch.until(lambda s: not s.meeting.locked, what="unlocked")
    await session.host_action(HostAction.MUTE_GUESTS)
    await watch.until(lambda s: s.meeting.guests_muted, what="guests muted")
    await session.host_action(HostAction.UNMUTE_GUESTS)
    await watch.until(lambda s: not s.meeting.guests_muted, what="guests unmuted")

    await session.host_action(HostAction.MUTE, guest)
    await roster_until(session, lambda r: r.find(guest).muted, "guest muted")

    await asyncio.to_thread(control.raise_hand, TEAM, guest)
    await roster_until(session, lambda r: r.hands_raised == 1, "a hand raised")
    await session.host_action(HostAction.RAISE_HAND)
    await watch.until(lambda s: s.meeting.hand_raised, what="own hand raised")
    view = await roster_until(session, lambda r: r.hands_raised == 2, "two hands")
    assert view.entries[0].is_self and view.entries[1].uuid == guest  # hands after the room
    await session.host_action(HostAction.LOWER_ALL_HANDS)
    await roster_until(session, lambda r: r.hands_raised == 0, "hands lowered")
    await watch.until(lambda s: not s.meeting.hand_raised, what="own hand lowered")

    await session.host_action(HostAction.REMOVE, guest)
    await roster_until(session, lambda r: r.find(guest) is None, "guest removed")
    room = await asyncio.to_thread(control.room, TEAM)
    assert any(d["uuid"] == guest for d in room["departed"])
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_a_refused_action_says_so_and_changes_nothing(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, _watch = await host_session(sim_settings)
    await asyncio.to_thread(simulator.control.inject_fault, "/lock", status=403,
                            body={"status": "success", "result": "Permission denied"})
    await session.host_action(HostAction.LOCK)
    result = session.snapshot.meeting.last_result
    assert result is not None and result.action is HostAction.LOCK
    assert result.outcome is Outcome.REFUSED
    await asyncio.sleep(0.3)
    assert not session.snapshot.meeting.locked and not session.snapshot.locked
    room = await asyncio.to_thread(simulator.control.room, TEAM)
    assert room["conference"]["locked"] is False
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_a_guest_room_may_not_use_host_controls_but_may_raise_its_hand(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.host_joins, TEAM)
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join(TEAM)
    await watch.state(S.PIN_OPTIONAL)
    await session.join_as_guest()
    await watch.state(S.CONNECTED)
    assert session.snapshot.role == "GUEST"
    await session.host_action(HostAction.LOCK)
    assert session.snapshot.meeting.last_result.outcome is Outcome.NOT_ALLOWED
    room = await asyncio.to_thread(simulator.control.room, TEAM)
    assert room["conference"]["locked"] is False
    await session.host_action(HostAction.RAISE_HAND)
    await watch.until(lambda s: s.meeting.hand_raised, what="hand raised")
    await session.host_action(HostAction.LOWER_HAND)
    await watch.until(lambda s: not s.meeting.hand_raised, what="hand lowered")
    await session.leave()


async def test_role_change_mid_call_turns_host_controls_on_and_off(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, watch = await host_session(sim_settings)
    own = session.roster.entries[0].uuid
    await asyncio.to_thread(simulator.control.set_role, TEAM, own, "GUEST")
    await watch.until(lambda s: s.role == "GUEST", what="demoted")
    await session.host_action(HostAction.LOCK)
    assert session.snapshot.meeting.last_result.outcome is Outcome.NOT_ALLOWED
    await asyncio.to_thread(simulator.control.set_role, TEAM, own, "HOST")
    await watch.until(lambda s: s.role == "HOST", what="promoted")
    await session.host_action(HostAction.LOCK)
    assert session.snapshot.meeting.last_result.outcome is Outcome.DONE
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


@pytest.mark.parametrize("participants", [200])
async def test_a_big_roster_burst_is_published_in_few_batches(
    simulator: SimulatorThread, sim_settings: Settings, participants: int
) -> None:
    session, watch = await host_session(sim_settings)
    views: list[RosterView] = []
    session.subscribe_roster(views.append)
    before = len(watch.snapshots)
    await asyncio.to_thread(simulator.control.roster_burst, TEAM, participants, 500)
    await roster_until(session, lambda r: len(r.entries) == participants + 1, "the burst")
    await asyncio.sleep(0.5)  # the last batch
    # 700 events: a handful of batches, not one view (or snapshot) per event.
    assert len(views) < 100, len(views)
    assert len(watch.snapshots) - before < 100
    assert session.snapshot.participant_count == participants + 1
    await session.leave()
