"""Media recovery against the simulator: an ICE-restarting re-offer and a change of the
device's addresses get a new call; the codec reported is the one sent; H.264 in
packetization-mode 0 is never reported as used, and a node that has nothing else gets a
new call offering VP8 only."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest
from session_watch import SessionWatch

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.offer_checks import has_unsendable_video, ice_credentials, restarts_ice
from kiosk.media.peer_call import AiortcMediaCall
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.sdp_faults import restart_ice, rewrite_video

S = SessionState
ROOM = "meet.open"


@pytest.fixture
def media_settings(sim_settings: Settings) -> Settings:
    return dataclasses.replace(sim_settings, camera="test", microphone="test", speaker="test",
                               ice_timeout_seconds=10.0)


class Addresses:
    """The device's addresses as the call sees them; a test moves the device to another net."""

    def __init__(self, *addresses: str) -> None:
        self.current = frozenset(addresses)

    def __call__(self) -> frozenset[str]:
        return self.current


def own_entry(simulator: SimulatorThread) -> dict:
    return next(p for p in simulator.control.room(ROOM)["participants"]
                if p["display_name"] == "Test room")


async def joined(settings: Settings, factory: AiortcMediaFactory | None = None
                 ) -> tuple[ConferenceSession, SessionWatch]:
    session = ConferenceSession(settings, media_factory=factory or AiortcMediaFactory(settings))
    watch = SessionWatch(session)
    await session.join(ROOM)
    assert session.snapshot.state is S.CONNECTED, session.snapshot
    return session, watch


async def video_codec_sent(session: ConferenceSession, timeout: float = 10.0) -> str:
    media = session.media_call
    assert media is not None
    deadline = asyncio.get_running_loop().time() + timeout
    while not (stats := await media.stats()).codec or stats.frames_sent < 3:
        assert asyncio.get_running_loop().time() < deadline, "no video was sent"
        await asyncio.sleep(0.1)
    return stats.codec


async def far_end_receives_video(simulator: SimulatorThread, call_index: int = -1,
                                 timeout: float = 15.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        calls = (await asyncio.to_thread(own_entry, simulator))["calls"]
        media = calls[call_index]["media"] if calls else {}
        if media.get("video_frames_received", 0) > 5:
            return calls[call_index]
        assert asyncio.get_running_loop().time() < deadline, f"no video at the far end: {calls}"
        await asyncio.sleep(0.2)


# --- the SDP checks on their own ------------------------------------------------------

OFFER = (
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 97 98\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\n"
    "a=rtcp-mux\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef012345\r\n"
    "a=fingerprint:sha-256 " + ":".join(["AA"] * 32) + "\r\na=setup:actpass\r\n"
    "a=rtpmap:97 VP8/90000\r\na=rtpmap:98 rtx/90000\r\na=fmtp:98 apt=97\r\n"
)


def test_an_ice_restart_is_new_credentials() -> None:
    restarted = restart_ice(OFFER)
    assert ice_credentials(restarted) != ice_credentials(OFFER)
    assert restarts_ice(OFFER, restarted)
    assert not restarts_ice(OFFER, OFFER)
    assert not restarts_ice(None, restarted)


def test_mode_0_h264_is_unsendable_only_when_it_is_all_there_is() -> None:
    assert not has_unsendable_video(OFFER)
    assert not has_unsendable_video(rewrite_video(OFFER, "h264_mode0_first"))
    assert has_unsendable_video(rewrite_video(OFFER, "h264_mode0_only"))


# --- end to end -------------------------------------------------------------------------

async def test_a_re_offer_that_restarts_ice_gets_a_new_call(
    simulator: SimulatorThread, media_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    session, watch = await joined(media_settings)
    first = session.media_call
    uuid = (await asyncio.to_thread(own_entry, simulator))["uuid"]
    await far_end_receives_video(simulator)

    with caplog.at_level(logging.INFO):
        await asyncio.to_thread(simulator.control.reoffer, ROOM, uuid, "new_offer", True)
        await watch.state(S.RECONNECTING)
        await watch.state(S.CONNECTED, timeout=15.0)

    second = session.media_call
    assert isinstance(second, AiortcMediaCall) and second is not first
    assert second.peer_connection is not None
    assert second.connection_state == "connected"
    calls = (await asyncio.to_thread(own_entry, simulator))["calls"]
    assert [c["state"] for c in calls] == ["disconnected", "active"]
    assert calls[0]["server_offers"] == 1 and calls[0]["server_offers_answered"] == 0
    await far_end_receives_video(simulator)  # media flows on the new call
    assert "restarted ICE" in caplog.text
    await session.leave()


async def test_a_change_of_the_device_addresses_gets_a_new_call(
    simulator: SimulatorThread, media_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    addresses = Addresses("127.0.0.1", "192.0.2.10")
    factory = AiortcMediaFactory(media_settings, address_source=addresses)
    session, watch = await joined(media_settings, factory)
    first = session.media_call
    await far_end_receives_video(simulator)
    await asyncio.sleep(2.5)  # a poll or two with nothing changed: nothing happens
    assert session.media_call is first and S.RECONNECTING not in watch.states

    with caplog.at_level(logging.WARNING):
        addresses.current = frozenset({"192.0.2.10", "198.51.100.20"})  # 127.0.0.1 is gone
        await watch.state(S.RECONNECTING, timeout=10.0)
        await watch.state(S.CONNECTED, timeout=15.0)

    assert session.media_call is not first
    calls = (await asyncio.to_thread(own_entry, simulator))["calls"]
    assert [c["state"] for c in calls] == ["disconnected", "active"]
    assert "network addresses changed (127.0.0.1 gone)" in caplog.text
    # The new call watches what it has now: it is not replaced again.
    await asyncio.sleep(3)
    assert watch.states.count(S.RECONNECTING) == 1
    await session.leave()


async def test_an_answer_listing_mode_0_h264_first_is_not_reported_as_h264(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    await asyncio.to_thread(simulator.control.rewrite_answers, "h264_mode0_first")
    session, _ = await joined(media_settings)

    assert await video_codec_sent(session) == "VP8"
    call = await far_end_receives_video(simulator)
    assert call["media"]["black_video_frames"] < call["media"]["video_frames_received"]
    await session.leave()


async def test_the_codec_reported_is_the_one_sent_with_h264_preferred(
    simulator: SimulatorThread, media_settings: Settings
) -> None:
    settings = dataclasses.replace(media_settings, video_codecs=("H264", "VP8"))
    session, _ = await joined(settings)
    assert await video_codec_sent(session) == "H264"
    await far_end_receives_video(simulator)
    await session.leave()


async def test_an_answer_with_only_mode_0_h264_gets_a_new_call_with_vp8_only(
    simulator: SimulatorThread, media_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await asyncio.to_thread(simulator.control.rewrite_answers, "h264_mode0_only")
    with caplog.at_level(logging.WARNING):
        session, watch = await joined(media_settings)

    assert await video_codec_sent(session) == "VP8"
    calls = (await asyncio.to_thread(own_entry, simulator))["calls"]
    assert [c["state"] for c in calls] == ["disconnected", "active"]  # the refused one hung up
    await far_end_receives_video(simulator)
    assert ("the node answered with H.264 in packetization-mode 0 only, which this kiosk "
            "cannot send; calling again offering VP8 only") in caplog.text
    assert S.ERROR not in watch.states
    await session.leave()


async def test_a_re_offer_with_only_mode_0_h264_gets_a_new_call_with_vp8_only(
    simulator: SimulatorThread, media_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = dataclasses.replace(media_settings, video_codecs=("H264", "VP8"))
    session, watch = await joined(settings)
    assert await video_codec_sent(session) == "H264"
    uuid = (await asyncio.to_thread(own_entry, simulator))["uuid"]

    with caplog.at_level(logging.WARNING):
        await asyncio.to_thread(simulator.control.reoffer, ROOM, uuid, "update_sdp", False,
                                "h264_mode0_only")
        await watch.state(S.RECONNECTING)
        await watch.state(S.CONNECTED, timeout=15.0)

    assert await video_codec_sent(session) == "VP8"
    await far_end_receives_video(simulator)
    assert "offered H.264 in packetization-mode 0 only" in caplog.text
    await session.leave()
