"""Presentations, layouts and live captions end to end: `ConferenceSession` with real media
against the simulator over loopback (HTTPS to the node, WebRTC to its far end).

What is checked: slides arrive on the kiosk's slides m-line (counted there and at the
far end), the JPEG fallback with a node that answers the slides m-line `inactive`,
`present: main`, the stop, a presentation while the call is replaced, 30 start/stop
cycles without leaks, a layout change and captions from partial to final.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.frame_mailbox import FrameMailbox
from kiosk.meeting_view_state import PresentationSource
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread

pytestmark = pytest.mark.timeout(120)

S = SessionState
ROOM = "meet.open"  # no PIN: the room joins as a host
PRESENTER = "Anna Svensson"


@pytest.fixture
def media_settings(sim_settings: Settings) -> Settings:
    return dataclasses.replace(sim_settings, camera="test", microphone="test", speaker="test",
                               ice_timeout_seconds=10.0)


@pytest.fixture
async def sessions() -> AsyncIterator[list[ConferenceSession]]:
    opened: list[ConferenceSession] = []
    yield opened
    for session in opened:
        await session.leave()


async def join(sessions: list[ConferenceSession], settings: Settings,
               alias: str = ROOM) -> tuple[ConferenceSession, SessionWatch]:
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    sessions.append(session)
    watch = SessionWatch(session)
    await session.join(alias)
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    return session, watch


async def control(simulator: SimulatorThread, method: str, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(getattr(simulator.control, method), *args, **kwargs)


async def own_call(simulator: SimulatorThread, alias: str = ROOM) -> dict[str, Any]:
    state = await control(simulator, "room", alias)
    me = next(p for p in state["participants"] if p["display_name"] == "Test room")
    return me["calls"][-1]


async def until(condition: Any, what: str, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (await condition() if asyncio.iscoroutinefunction(condition) else condition()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def presenting(session: ConferenceSession) -> bool:
    return session.snapshot.view.presentation.active


# --------------------------------------------------------------------------- stream


async def test_slides_arrive_on_the_slides_m_line(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, _ = await join(sessions, media_settings)
    call = await own_call(simulator)
    assert call["media"]["slides_negotiated"] is True
    await control(simulator, "present", ROOM, PRESENTER)
    await until(lambda: presenting(session), "presentation_start")
    presentation = session.snapshot.view.presentation
    assert presentation.presenter_name == PRESENTER
    assert presentation.source is PresentationSource.STREAM
    media = session.media_call
    assert media is not None
    video = session.presentation_video
    assert video is media.presentation_video  # type: ignore[attr-defined]
    await until(lambda: video.frame_count >= 30, "30 frames on the slides m-line")
    stats = await media.stats()
    assert stats.resolution_slides_received == (1280, 720)
    assert stats.slides_frames_received >= 30
    # The people video keeps flowing on its own m-line.
    assert stats.frames_received > 0 and stats.resolution_received == (640, 360)
    remote = (await own_call(simulator))["media"]
    assert remote["slides_frames_sent"] >= stats.slides_frames_received
    frame = video.latest_rgba(640, 360)
    assert frame is not None and (frame.width, frame.height) == (640, 360)
    # No JPEG was fetched: the slides m-line carries the presentation.
    state = await control(simulator, "room", ROOM)
    assert state["presentation"]["jpegs_served"] == {}
    assert state["presentation"]["presentation"]["slides_rendered"] <= 4

    await control(simulator, "stop_presenting", ROOM)
    await until(lambda: not presenting(session), "presentation_stop")
    assert session.presentation_video is None
    sent = (await own_call(simulator))["media"]["slides_frames_sent"]
    await asyncio.sleep(0.5)
    assert (await own_call(simulator))["media"]["slides_frames_sent"] <= sent + 1


async def test_the_offer_carries_the_slides_m_line_and_the_receive_budget(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    from kiosk.media.slides_sdp import media_sections

    session, _ = await join(sessions, media_settings)
    media = session.media_call
    assert media is not None
    offer = await media.create_offer()  # the renegotiation offer has the same edits
    video = [s for s in media_sections(offer) if s.kind == "video"]
    assert [s.is_slides for s in video] == [False, True]
    assert video[1].direction == "recvonly"
    assert all(s.bandwidth_as == 1280 for s in video)  # the token's bandwidth_in
    assert offer.count("a=content:main") == 2  # main audio and video, as Pexip's clients


async def test_a_room_joining_during_a_presentation_sees_it_at_once(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    await control(simulator, "present", ROOM, PRESENTER)
    session, _ = await join(sessions, media_settings)
    await until(lambda: presenting(session), "the presentation replayed on connect")
    video = session.presentation_video
    assert video is not None
    await until(lambda: video.frame_count >= 5, "slides on the slides m-line")


# --------------------------------------------------------------------------- fallbacks


async def test_jpeg_fallback_when_the_node_does_not_answer_the_slides_m_line(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    await control(simulator, "presentation_options", ROOM, answer_slides=False)
    session, _ = await join(sessions, media_settings)
    assert (await own_call(simulator))["media"]["slides_negotiated"] is False
    media = session.media_call
    assert media is not None and media.slides_negotiated is False  # type: ignore[attr-defined]
    await control(simulator, "present", ROOM, PRESENTER)
    await until(lambda: presenting(session), "presentation_start")
    assert session.snapshot.view.presentation.source is PresentationSource.JPEG
    video = session.presentation_video
    assert isinstance(video, FrameMailbox)
    await until(lambda: video.frame_count >= 1, "the first presentation JPEG")
    frame = video.latest_frame()
    assert frame is not None and (frame.width, frame.height) == (1280, 720)
    state = await control(simulator, "room", ROOM)
    me = next(p for p in state["participants"] if p["display_name"] == "Test room")
    assert state["presentation"]["jpegs_served"][me["uuid"]] >= 1
    # Nothing was sent on a slides m-line the node never accepted.
    assert (await own_call(simulator))["media"]["slides_frames_sent"] == 0


async def test_images_are_shown_when_the_accepted_slides_m_line_stays_silent(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, watch = await join(sessions, media_settings)
    assert (await own_call(simulator))["media"]["slides_negotiated"] is True
    # The node announces images only (as if it never used the m-line it accepted).
    await control(simulator, "present", ROOM, PRESENTER, mode="jpeg")
    await watch.until(lambda s: s.view.presentation.source is PresentationSource.JPEG,
                      timeout=15, what="the switch to presentation images")
    video = session.presentation_video
    assert isinstance(video, FrameMailbox)
    await until(lambda: video.frame_count >= 1, "a presentation image")
    assert (await own_call(simulator))["media"]["slides_frames_sent"] == 0


async def test_jpeg_fallback_fetches_the_newest_frame_one_at_a_time(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    settings = dataclasses.replace(media_settings, presentation="jpeg")
    session, _ = await join(sessions, settings)
    await control(simulator, "present", ROOM, PRESENTER, mode="jpeg")
    await until(lambda: presenting(session), "presentation_start")
    receiver = session._meeting.view.presentation  # the session's own receiver
    await until(lambda: receiver.jpegs_fetched >= 1, "the first JPEG")
    # Every JPEG request is held 0.6 s: frames announced meanwhile are not queued up.
    await control(simulator, "inject_fault", "presentation_high.jpeg", delay=0.6, count=100)
    before_served = receiver.jpegs_fetched
    in_flight = {"max": 0}
    original = session._meeting.view.presentation._client.presentation_jpeg
    active = {"n": 0}

    def counting(*args: Any, **kwargs: Any) -> bytes:
        active["n"] += 1
        in_flight["max"] = max(in_flight["max"], active["n"])
        try:
            return original(*args, **kwargs)
        finally:
            active["n"] -= 1

    receiver._client.presentation_jpeg = counting  # type: ignore[method-assign]
    try:
        for number in range(10):  # ten frames announced within 0.2 s
            receiver.on_frame(str(1000 + number))
            await asyncio.sleep(0.02)
        await until(lambda: not receiver._fetching, "the fetches to finish")
    finally:
        del receiver._client.presentation_jpeg
        await control(simulator, "clear_faults")
    fetched = receiver.jpegs_fetched - before_served
    assert in_flight["max"] == 1
    # The first announced one and then only the newest: never all ten.
    assert 1 <= fetched <= 3, fetched


async def test_a_thin_link_fetches_the_small_presentation_jpeg(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, _ = await join(sessions, dataclasses.replace(media_settings, presentation="jpeg"))
    meeting = session._meeting
    assert meeting.token is not None
    # As if the node had given a receive budget of 384 kbit/s (the doc's threshold).
    meeting.token = dataclasses.replace(meeting.token, bandwidth_in=384)
    await control(simulator, "present", ROOM, PRESENTER, mode="jpeg")
    await until(lambda: meeting.view.presentation.jpegs_fetched >= 1, "the first JPEG")
    frame = meeting.view.presentation.jpeg_video.latest_frame()
    assert frame is not None and (frame.width, frame.height) == (640, 360)
    state = await control(simulator, "room", ROOM)
    assert state["presentation"]["jpegs_served"] == {}
    assert sum(state["presentation"]["low_jpegs_served"].values()) >= 1


async def test_main_mode_asks_the_node_for_slides_in_the_main_video(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    settings = dataclasses.replace(media_settings, presentation="main")
    session, _ = await join(sessions, settings)
    call = await own_call(simulator)
    assert call["present"] == "main"
    assert call["media"]["present_main"] is True
    assert call["media"]["slides_negotiated"] is False  # no slides m-line offered
    media = session.media_call
    assert media is not None
    offer = await media.create_offer()
    assert "a=content:slides" not in offer
    await control(simulator, "present", ROOM, PRESENTER)
    await until(lambda: presenting(session), "presentation_start")
    assert session.snapshot.view.presentation.source is PresentationSource.MAIN
    assert session.presentation_video is None  # the slides are in the main video

    def main_shows_a_slide() -> bool:
        frame = media.remote_video.latest_frame()  # type: ignore[attr-defined]
        if frame is None:
            return False
        # A slide is mostly its light background; the pattern is colour bars.
        luma = frame.to_ndarray(format="gray")
        return float(luma.mean()) > 200

    await until(main_shows_a_slide, "a slide in the main video")
    state = await control(simulator, "room", ROOM)
    assert state["presentation"]["jpegs_served"] == {}


async def test_off_mode_ignores_presentations(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    settings = dataclasses.replace(media_settings, presentation="off")
    session, watch = await join(sessions, settings)
    await control(simulator, "present", ROOM, PRESENTER)
    await asyncio.sleep(1.5)
    assert not presenting(session)
    assert session.presentation_video is None
    assert not any(v.presentation.active for v in watch.values("view"))  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- reconnects


async def test_presentation_start_and_stop_while_the_call_is_replaced(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, watch = await join(sessions, media_settings)
    me = next(p for p in (await control(simulator, "room", ROOM))["participants"]
              if p["display_name"] == "Test room")
    first_media = session.media_call
    await control(simulator, "present", ROOM, PRESENTER)
    await until(lambda: presenting(session), "presentation_start")
    # The node ends the call: the session replaces it while the presentation goes on.
    await control(simulator, "disconnect_call", ROOM, me["uuid"])
    await watch.until(lambda s: s.state is S.RECONNECTING, what="RECONNECTING")
    await watch.until(lambda s: s.state is S.CONNECTED and session.media_call is not None
                      and session.media_call is not first_media, what="a new call")
    assert presenting(session)
    video = session.presentation_video
    assert video is session.media_call.presentation_video  # type: ignore[union-attr]
    await until(lambda: video.frame_count >= 10, "slides on the new call")
    # Stopped and started again while the next call is being set up.
    await control(simulator, "inject_fault", "/calls", delay=1.5)
    await control(simulator, "disconnect_call", ROOM, me["uuid"])
    await watch.until(lambda s: s.state is S.RECONNECTING, what="RECONNECTING again")
    await control(simulator, "stop_presenting", ROOM)
    await until(lambda: not presenting(session), "presentation_stop while reconnecting")
    await control(simulator, "present", ROOM, PRESENTER)
    await until(lambda: presenting(session), "presentation_start while reconnecting")
    await watch.until(lambda s: s.state is S.CONNECTED, what="CONNECTED again")
    video = session.presentation_video
    assert video is not None
    await until(lambda: video.frame_count >= 10, "slides after the second reconnect")
    await control(simulator, "stop_presenting", ROOM)
    await until(lambda: not presenting(session), "the final stop")


# --------------------------------------------------------------------------- leaks


async def test_thirty_presentation_cycles_leak_no_tracks_or_tasks(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, _ = await join(sessions, media_settings)
    media = session.media_call
    assert media is not None
    pc = media.peer_connection  # type: ignore[attr-defined]

    async def one_cycle() -> None:
        before = media.presentation_video.frame_count  # type: ignore[attr-defined]
        await control(simulator, "present", ROOM, PRESENTER)
        await until(lambda: presenting(session), "presentation_start")
        await until(lambda: media.presentation_video.frame_count > before,  # type: ignore[attr-defined]
                    "a new slide frame")
        await control(simulator, "stop_presenting", ROOM)
        await until(lambda: not presenting(session), "presentation_stop")

    await one_cycle()
    gc.collect()
    tasks_before = len(asyncio.all_tasks())
    transceivers_before = len(pc.getTransceivers())
    for _ in range(29):
        await one_cycle()
    gc.collect()
    await asyncio.sleep(0.2)
    assert len(pc.getTransceivers()) == transceivers_before == 3  # no track added per cycle
    assert len(asyncio.all_tasks()) <= tasks_before + 2
    state = await control(simulator, "room", ROOM)
    assert state["presentation"]["presentations"] == 30
    assert session.media_call is media  # the same call all along
    assert session.snapshot.state is S.CONNECTED


# --------------------------------------------------------------------------- layouts


async def test_a_host_room_changes_the_layout(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, watch = await join(sessions, media_settings)
    await watch.until(lambda s: bool(s.view.layouts.available), what="the layouts")
    layouts = session.snapshot.view.layouts
    assert "1:7" in layouts.available and "ac" in layouts.available
    assert layouts.thumbnail("1:7").lstrip().startswith("<svg")
    await session.choose_layout("1:7")
    await watch.until(lambda s: s.view.layouts.current == "1:7", what="the layout event")
    assert (await control(simulator, "room", ROOM))["layout"] == "1:7"
    await session.choose_layout("4:0")
    await watch.until(lambda s: s.view.layouts.current == "4:0", what="the second layout")
    assert (await control(simulator, "room", ROOM))["layout"] == "4:0"


async def test_a_guest_room_gets_no_layouts(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    await control(simulator, "host_joins", "meet.team")
    session = ConferenceSession(media_settings, media_factory=None)
    sessions.append(session)
    await session.join("meet.team")
    await session.join_as_guest()
    assert session.snapshot.role == "GUEST" and session.snapshot.state is S.CONNECTED
    await asyncio.sleep(1.0)
    assert session.snapshot.view.layouts.available == ()


# --------------------------------------------------------------------------- speaker, captions


async def test_the_speaker_and_live_captions_from_partial_to_final(
    simulator: SimulatorThread, media_settings: Settings, sessions: list[ConferenceSession]
) -> None:
    session, watch = await join(sessions, media_settings)
    await watch.until(lambda s: s.view.captions.available, what="captions available")
    await control(simulator, "present", ROOM, PRESENTER)
    await watch.until(lambda s: s.view.speaker_name == PRESENTER,
                      what="the presenter speaking")
    await session.set_live_captions(True)
    assert session.snapshot.view.captions.shown
    await control(simulator, "play_captions", ROOM, ["Good morning everyone", "Next slide"],
                  word_seconds=0.05)
    await watch.until(lambda s: s.view.captions.lines[-1:] == ("Next slide",),
                      what="the second line final", timeout=10)
    seen = [v.captions.lines for v in watch.values("view")]  # type: ignore[attr-defined]
    assert ("Good",) in seen and ("Good morning",) in seen  # partial text, growing
    assert ("Good morning everyone",) in seen  # replaced by its final text
    assert ("Good morning everyone", "Next") in seen  # the next sentence below it
    assert not any("Good morning Good" in " ".join(lines) for lines in seen)
    await session.set_live_captions(False)
    assert not session.snapshot.view.captions.shown
    state = await control(simulator, "room", ROOM)
    assert state["captions"]["wanted"] == []
