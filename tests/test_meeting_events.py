"""Every meeting event the kiosk handles, end to end over loopback: hold, splash screens,
messages, unknown and broken events, transfers (also into a PIN-protected meeting),
breakout rooms and back with media both ways, peer_disconnect and call_disconnected."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.session.room_view import HostAction, Outcome
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread

S = SessionState
OPEN = "meet.open"


def own_uuid(simulator: SimulatorThread, alias: str = OPEN) -> str:
    room = simulator.control.room(alias)
    return next(p["uuid"] for p in room["participants"] if p["display_name"] == "Test room")


async def joined(settings: Settings, media: bool = False, alias: str = OPEN
                 ) -> tuple[ConferenceSession, SessionWatch]:
    factory = AiortcMediaFactory(settings) if media else None
    session = ConferenceSession(settings, media_factory=factory)
    watch = SessionWatch(session)
    await session.join(alias)
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    return session, watch


@pytest.fixture
def media_settings(sim_settings: Settings) -> Settings:
    return dataclasses.replace(sim_settings, camera="test", microphone="test", speaker="test",
                               ice_timeout_seconds=8.0)


async def test_hold_splash_and_messages(simulator: SimulatorThread,
                                        sim_settings: Settings) -> None:
    session, watch = await joined(sim_settings)
    me = await asyncio.to_thread(own_uuid, simulator)
    control = simulator.control
    await asyncio.to_thread(control.hold, OPEN, me, True)
    await watch.until(lambda s: s.meeting.on_hold, what="on hold")
    await asyncio.to_thread(control.hold, OPEN, me, False)
    await watch.until(lambda s: not s.meeting.on_hold, what="resumed")

    await asyncio.to_thread(control.splash, OPEN, me, "direct_media_welcome")
    shown = await watch.until(lambda s: s.meeting.splash is not None, what="splash")
    splash = shown.meeting.splash
    assert splash.text == "Welcome to the meeting"
    assert splash.background.startswith(b"\x89PNG")  # the theme image, fetched with the token
    await asyncio.to_thread(control.splash, OPEN, me, None)
    await watch.until(lambda s: s.meeting.splash is None, what="splash cleared")
    await asyncio.to_thread(control.splash, OPEN, me, "direct_media_escalate", 0.5)
    await watch.until(lambda s: s.meeting.splash is not None, what="timed splash")
    await watch.until(lambda s: s.meeting.splash is None, what="timed splash over")

    for number in range(1, 3):
        await asyncio.to_thread(control.send_message, OPEN, f"Hello {number}", "Alice")
        message = (await watch.until(
            lambda s, n=number: s.meeting.last_message is not None
            and s.meeting.last_message.number == n, what="message")).meeting.last_message
        assert message.sender == "Alice" and message.text == f"Hello {number}"
    assert session.snapshot.state is S.CONNECTED
    await session.leave()


async def test_unknown_events_are_debug_and_broken_ones_one_warning(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.session.events")
    session, watch = await joined(sim_settings)
    me = await asyncio.to_thread(own_uuid, simulator)
    send = simulator.control.send_event
    await asyncio.to_thread(send, OPEN, me, "fecc", {"action": "start"})
    broken = [("refer", {"alias": 5}), ("on_hold", "yes please"), ("splash_screen", [1]),
              ("message_received", {"payload": None}), ("role", {"role": "EMPEROR"}),
              ("breakout_refer", {}), ("call_disconnected", None)]
    for name, data in broken:
        await asyncio.to_thread(send, OPEN, me, name, data)
    await asyncio.to_thread(simulator.control.send_message, OPEN, "still here", "Bob")
    await watch.until(lambda s: s.meeting.last_message is not None, what="a good event after")
    records = [r for r in caplog.records if r.name == "kiosk.session.events"]
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == len(broken), [r.getMessage() for r in warnings]
    assert any(r.levelno == logging.DEBUG and "fecc" in r.getMessage() for r in records)
    assert session.snapshot.state is S.CONNECTED
    assert S.ERROR not in watch.states
    await session.leave()


async def test_transfer_joins_the_new_meeting_with_the_one_time_token(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session = ConferenceSession(sim_settings)
    watch = SessionWatch(session)
    await session.join("meet.team")
    await watch.state(S.PIN_OPTIONAL)
    await session.submit_pin("1234")
    await watch.state(S.CONNECTED)
    me = await asyncio.to_thread(own_uuid, simulator, "meet.team")
    await asyncio.to_thread(simulator.control.transfer, "meet.team", me, OPEN)
    await watch.until(lambda s: s.transfer_target == OPEN, what="moving")
    moved = await watch.until(lambda s: s.state is S.CONNECTED and s.alias == OPEN,
                              what="in the new meeting")
    assert moved.conference_name == "Open meeting"
    old = await asyncio.to_thread(simulator.control.room, "meet.team")
    assert all(p["display_name"] != "Test room" for p in old["participants"])  # released
    # The one-time token was used once: the node would refuse it a second time.
    assert not simulator.simulator.node.transfer_tokens
    await session.leave()


async def test_transfer_into_a_pin_protected_meeting_asks_for_the_pin(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    session, watch = await joined(sim_settings)
    me = await asyncio.to_thread(own_uuid, simulator)
    await asyncio.to_thread(simulator.control.transfer, OPEN, me, "meet.board")
    await watch.state(S.PIN_REQUIRED)
    assert session.snapshot.alias == "meet.board"
    await session.submit_pin("2468")
    await watch.state(S.CONNECTED)
    assert session.snapshot.role == "HOST" and session.snapshot.alias == "meet.board"
    await session.leave()


async def wait_far_end_receives(simulator: SimulatorThread, alias: str, breakout: str | None,
                                timeout: float = 20.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        room = await asyncio.to_thread(simulator.control.room, alias)
        me = next(p for p in room["participants"] if p["display_name"] == "Test room")
        live = [c for c in me["calls"] if c["state"] != "disconnected"]
        if (len(live) == 1 and live[0]["breakout"] == breakout
                and live[0]["media"]["video_frames_received"] > 5
                and live[0]["media"]["audio_packets_received"] > 5):
            return live[0]
        calls = [(c["state"], c["breakout"], c["media"]["video_frames_received"],
                  c["media"]["audio_packets_received"]) for c in me["calls"]]
        assert loop.time() < deadline, (breakout, calls)
        await asyncio.sleep(0.2)


async def wait_kiosk_receives(session: ConferenceSession, more_than: int,
                              timeout: float = 20.0) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        media = session.media_call
        if media is not None:
            received = (await media.stats()).frames_received
            if received > more_than:
                return received
        assert loop.time() < deadline, "no remote video after the move"
        await asyncio.sleep(0.1)


async def test_breakout_and_back_with_media_both_ways_after_each_move(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    session, watch = await joined(media_settings, media=True)
    me = await asyncio.to_thread(own_uuid, simulator)
    first = await wait_far_end_receives(simulator, OPEN, None)
    await wait_kiosk_receives(session, 5)

    opened = await asyncio.to_thread(simulator.control.open_breakout, OPEN, [me], "Room B")
    breakout = opened["breakout_uuid"]
    await watch.until(lambda s: s.meeting.breakout_name == "Room B", what="in the breakout")
    inside = await wait_far_end_receives(simulator, OPEN, breakout)
    assert inside["call_uuid"] != first["call_uuid"]
    await wait_kiosk_receives(session, 5)
    await watch.until(lambda s: not s.meeting.moving, what="move finished")

    await session.host_action(HostAction.ASK_FOR_HELP)
    assert session.snapshot.meeting.last_result.outcome is Outcome.DONE
    room = await asyncio.to_thread(simulator.control.room, OPEN)
    assert [h["participant_uuid"] for h in room["help_requests"]] == [me]
    await session.set_microphone_muted(True)  # own controls reach the breakout too
    room = await asyncio.to_thread(simulator.control.room, OPEN)
    assert next(p for p in room["participants"] if p["uuid"] == me)["is_muted"] == "YES"

    await asyncio.to_thread(simulator.control.close_breakout, OPEN, breakout)
    await watch.until(lambda s: s.meeting.breakout_name == "" and s.meeting.breakout_returned,
                      what="back in the meeting")
    back = await wait_far_end_receives(simulator, OPEN, None)
    assert back["call_uuid"] not in (first["call_uuid"], inside["call_uuid"])
    await wait_kiosk_receives(session, 5)
    assert S.ERROR not in watch.states
    await session.leave()


async def test_peer_disconnect_and_call_disconnected_set_the_media_up_again(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    session, watch = await joined(media_settings, media=True)
    me = await asyncio.to_thread(own_uuid, simulator)
    first = await wait_far_end_receives(simulator, OPEN, None)
    await asyncio.to_thread(simulator.control.peer_disconnect, OPEN, me)
    renewed = await wait_far_end_receives(simulator, OPEN, None)
    assert renewed["call_uuid"] != first["call_uuid"]
    await wait_kiosk_receives(session, 5)

    await asyncio.to_thread(simulator.control.disconnect_call, OPEN, me, "Media timeout")
    again = await wait_far_end_receives(simulator, OPEN, None)
    assert again["call_uuid"] != renewed["call_uuid"]
    await watch.state(S.CONNECTED)
    # The node's reason was shown while the call was being restored, and cleared after.
    shown = [(s.state, s.meeting.call_end_reason) for s in watch.snapshots]
    assert (S.RECONNECTING, "Media timeout") in shown, shown
    await watch.until(lambda s: s.meeting.call_end_reason == "", what="the reason cleared")
    assert S.ERROR not in watch.states
    await session.leave()


async def far_end_media(simulator: SimulatorThread) -> dict:
    room = await asyncio.to_thread(simulator.control.room, OPEN)
    me = next(p for p in room["participants"] if p["display_name"] == "Test room")
    return next(c for c in me["calls"] if c["state"] != "disconnected")["media"]


async def grows(simulator: SimulatorThread, key: str, by: int = 10,
                timeout: float = 20.0) -> None:
    start = (await far_end_media(simulator))[key]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (await far_end_media(simulator))[key] < start + by:
        assert loop.time() < deadline, f"{key} did not grow"
        await asyncio.sleep(0.2)


async def test_on_hold_pauses_what_the_room_sends_and_resume_restores_its_mutes(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    session, watch = await joined(media_settings, media=True)
    me = await asyncio.to_thread(own_uuid, simulator)
    await wait_far_end_receives(simulator, OPEN, None)
    await session.set_microphone_muted(True)  # the room's own choice, kept through the hold
    await asyncio.to_thread(simulator.control.hold, OPEN, me, True)
    await watch.until(lambda s: s.meeting.on_hold, what="on hold")
    await grows(simulator, "black_video_frames")  # no picture leaves the room on hold
    await asyncio.to_thread(simulator.control.hold, OPEN, me, False)
    await watch.until(lambda s: not s.meeting.on_hold, what="resumed")
    await asyncio.sleep(1.0)
    black = (await far_end_media(simulator))["black_video_frames"]
    await grows(simulator, "video_frames_received", by=15)
    assert (await far_end_media(simulator))["black_video_frames"] <= black + 3  # picture back
    await grows(simulator, "silent_audio_frames")  # still muted, as the room chose
    assert session.snapshot.microphone_muted
    await session.leave()
