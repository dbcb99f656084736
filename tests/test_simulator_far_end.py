"""The simulator as a WebRTC far end: a real aiortc offer gets an answer and media flows."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import numpy as np
import pytest
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack

from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.pattern_video import PatternRenderer, PatternStatus, label_box, label_lines
from kiosk.simulator.rooms import load_demo_rooms
from kiosk.simulator.server import Simulator

pytestmark = pytest.mark.timeout(60)


@dataclass
class Kiosk:
    """One test kiosk: a token, a peer connection and what it received."""

    http: aiohttp.ClientSession
    base: str
    alias: str
    token: str
    participant_uuid: str
    pc: RTCPeerConnection = field(default_factory=lambda: RTCPeerConnection(
        RTCConfiguration(iceServers=[])))
    video_frames: int = 0
    audio_frames: int = 0
    resolution: tuple[int, int] | None = None
    call_uuid: str | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}/api/client/v2/conferences/{self.alias}/{path}"

    async def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.post(self.url(path), json=body, headers={"token": self.token}) as r:
            return r.status, (await r.json())["result"]

    async def consume(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    self.video_frames += 1
                    self.resolution = (frame.width, frame.height)
                else:
                    self.audio_frames += 1

    async def start_call(self) -> str:
        self.pc.addTrack(VideoStreamTrack())
        self.pc.addTrack(AudioStreamTrack())

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.tasks.append(asyncio.ensure_future(self.consume(track)))

        await self.pc.setLocalDescription(await self.pc.createOffer())
        status, result = await self.post(
            f"participants/{self.participant_uuid}/calls",
            {"call_type": "WEBRTC", "sdp": self.pc.localDescription.sdp},
        )
        assert status == 200, result
        assert set(result) >= {"call_uuid", "sdp"}
        await self.pc.setRemoteDescription(RTCSessionDescription(result["sdp"], "answer"))
        self.call_uuid = result["call_uuid"]
        status, acked = await self.post(
            f"participants/{self.participant_uuid}/calls/{self.call_uuid}/ack"
        )
        assert (status, acked) == (200, True)
        return result["sdp"]

    async def close(self) -> None:
        await self.pc.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


@pytest.fixture
async def node() -> AsyncIterator[tuple[Simulator, aiohttp.ClientSession]]:
    simulator = Simulator(load_demo_rooms())
    await simulator.start()
    context = ssl.create_default_context(cafile=str(simulator.ca_bundle))
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))
    try:
        yield simulator, http
    finally:
        await http.close()
        await simulator.stop()


async def _join(simulator: Simulator, http: aiohttp.ClientSession, alias: str, name: str,
                pin: str | None = None) -> Kiosk:
    headers = {"pin": pin} if pin is not None else {}
    url = f"{simulator.url}/api/client/v2/conferences/{alias}/request_token"
    async with http.post(url, json={"display_name": name}, headers=headers) as response:
        assert response.status == 200
        result = (await response.json())["result"]
    return Kiosk(http, simulator.url, alias, result["token"], result["participant_uuid"])


async def _room(simulator: Simulator, http: aiohttp.ClientSession, alias: str) -> dict:
    async with http.get(f"{simulator.url}/_sim/rooms/{alias}") as response:
        return (await response.json())["result"]


async def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_offer_is_answered_and_media_flows_both_ways(node) -> None:
    simulator, http = node
    kiosk = await _join(simulator, http, "meet.open", "Kiosk")
    try:
        answer = await kiosk.start_call()
        # Only loopback candidates and no STUN/TURN anywhere in the answer.
        candidates = [line for line in answer.splitlines() if line.startswith("a=candidate")]
        assert candidates and all(" 127.0.0.1 " in c for c in candidates)
        assert "stun:" not in answer and "turn:" not in answer
        await _until(lambda: kiosk.video_frames >= 30 and kiosk.audio_frames >= 25)
        assert kiosk.resolution == (640, 360)

        async def far_end_counted() -> dict:
            room = await _room(simulator, http, "meet.open")
            return room["participants"][0]["calls"][0]

        deadline = time.monotonic() + 10
        call = await far_end_counted()
        while call["media"]["video_frames_received"] < 20 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            call = await far_end_counted()
        assert call["call_uuid"] == kiosk.call_uuid
        assert call["state"] == "active"
        media = call["media"]
        assert media["video_frames_received"] >= 20
        assert media["audio_packets_received"] > 0
        assert media["video_resolution"] == [640, 480]
        assert media["video_frames_sent"] > 0 and media["audio_frames_sent"] > 0
        assert media["connection_state"] == "connected"
        room = await _room(simulator, http, "meet.open")
        assert room["participants"][0]["protocol"] == "webrtc"
    finally:
        await kiosk.close()


async def test_update_renegotiates_with_a_bare_sdp_answer_and_disconnect_ends_the_call(
    node,
) -> None:
    simulator, http = node
    kiosk = await _join(simulator, http, "meet.open", "Kiosk")
    try:
        await kiosk.start_call()
        await kiosk.pc.setLocalDescription(await kiosk.pc.createOffer())
        status, answer = await kiosk.post(
            f"participants/{kiosk.participant_uuid}/calls/{kiosk.call_uuid}/update",
            {"sdp": kiosk.pc.localDescription.sdp},
        )
        assert status == 200 and isinstance(answer, str) and answer.startswith("v=0")
        await kiosk.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        status, done = await kiosk.post(
            f"participants/{kiosk.participant_uuid}/calls/{kiosk.call_uuid}/disconnect"
        )
        assert (status, done) == (200, None)  # Pexip's schema: a null result
        room = await _room(simulator, http, "meet.open")
        call = room["participants"][0]["calls"][0]
        assert call["state"] == "disconnected" and call["updates"] == 1
        status, gone = await kiosk.post(
            f"participants/{kiosk.participant_uuid}/calls/{kiosk.call_uuid}/ack"
        )
        assert status == 404
    finally:
        await kiosk.close()


async def test_two_kiosks_in_one_room_each_get_their_own_peer(node) -> None:
    simulator, http = node
    first = await _join(simulator, http, "meet.team", "First", pin="1234")
    second = await _join(simulator, http, "meet.team", "Second", pin="none")
    try:
        await asyncio.gather(first.start_call(), second.start_call())
        assert first.call_uuid != second.call_uuid
        await _until(lambda: first.video_frames >= 15 and second.video_frames >= 15)
        room = await _room(simulator, http, "meet.team")
        assert room["participant_count"] == 2
        for participant in room["participants"]:
            assert len(participant["calls"]) == 1
    finally:
        await first.close()
        await second.close()


async def test_server_call_disconnect_sends_the_event_and_closes_the_peer(node) -> None:
    simulator, http = node
    kiosk = await _join(simulator, http, "meet.open", "Kiosk")
    events = await http.get(kiosk.url("events"), headers={"token": kiosk.token})
    try:
        await kiosk.start_call()
        url = (f"{simulator.url}/_sim/rooms/meet.open/participants/"
               f"{kiosk.participant_uuid}/call_disconnect")
        async with http.post(url, json={"reason": "Media timeout"}) as response:
            assert (await response.json())["result"] == {"calls": [kiosk.call_uuid]}
        seen = b""
        while b"event: call_disconnected" not in seen:
            seen += await asyncio.wait_for(events.content.readany(), 5)
        assert kiosk.call_uuid.encode() in seen and b"Media timeout" in seen
        room = await _room(simulator, http, "meet.open")
        call = room["participants"][0]["calls"][0]
        assert call["state"] == "disconnected"
        assert call["media"]["connection_state"] == "closed"
        # The participant stays and may call again.
        await kiosk.close()
        kiosk.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        kiosk.tasks = []
        await kiosk.start_call()
        room = await _room(simulator, http, "meet.open")
        assert [c["state"] for c in room["participants"][0]["calls"]] == [
            "disconnected", "active"]
    finally:
        events.close()
        await kiosk.close()


def test_pattern_says_waiting_for_the_host_in_a_small_label_and_moves() -> None:
    renderer = PatternRenderer()
    waiting = PatternStatus("Team meeting", 1, waiting=True)
    joined = PatternStatus("Team meeting", 2, waiting=False)
    assert label_lines(waiting) == ("Team meeting · 1 participant", "Waiting for the host")
    assert label_lines(joined) == ("Team meeting · 2 participants", "Connected")
    first = renderer.render(waiting, 0).to_ndarray()
    later = renderer.render(waiting, 10).to_ndarray()
    admitted = renderer.render(joined, 0).to_ndarray()
    assert first.shape == (540, 640)  # yuv420p planes of 640x360
    x0, y0, x1, y1 = label_box(640, 360)
    # A compact label in the middle, clear of the corners and the lower third where a
    # kiosk draws its own panels and controls.
    assert (x1 - x0) * (y1 - y0) <= 0.1 * 640 * 360
    assert y0 >= 360 // 3 and y1 <= 2 * 360 // 3 and x0 > 640 // 10 and x1 < 640 * 9 // 10
    label = (slice(y0, y1), slice(x0, x1))
    assert np.array_equal(first[label], later[label])  # the label is static
    assert not np.array_equal(first[label], admitted[label])  # and follows the status
    outside = first[:360].copy(), admitted[:360].copy()
    for luma in outside:
        luma[label] = 0
    assert np.array_equal(*outside)  # nothing else of the picture carries text
    assert not np.array_equal(first[y1:360], later[y1:360])  # the block moves


def test_simulator_thread_stops_quickly_with_a_call_up() -> None:
    with SimulatorThread() as sim:
        async def call() -> None:
            context = ssl.create_default_context(cafile=str(sim.ca_bundle))
            async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=context)
            ) as http:
                url = f"{sim.url}/api/client/v2/conferences/meet.open/request_token"
                async with http.post(url, json={"display_name": "K"}) as response:
                    result = (await response.json())["result"]
                kiosk = Kiosk(http, sim.url, "meet.open", result["token"],
                              result["participant_uuid"])
                await kiosk.start_call()
                await _until(lambda: kiosk.video_frames > 5)
                started = time.monotonic()
                await asyncio.to_thread(sim.stop)
                # About 2 s by design; the bound only catches a hang on a loaded machine.
                assert time.monotonic() - started < 6.0
                await kiosk.close()

        asyncio.run(call())
