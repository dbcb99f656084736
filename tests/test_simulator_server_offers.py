"""The simulator's side of node-initiated renegotiation, its ICE black hole fault, and the
black-picture / silence counters of its far end. The kiosk's side of the same features is
tested end to end in `test_call_end_to_end.py`."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import av
import numpy as np
import pytest
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from kiosk.simulator.frame_checks import is_black_video, is_silent_audio
from kiosk.simulator.ice_blackhole import redirect_candidates, without_candidates
from kiosk.simulator.rooms import load_demo_rooms
from kiosk.simulator.server import Simulator

pytestmark = pytest.mark.timeout(60)

ALIAS = "meet.open"
OFFER_LINES = [
    "v=0",
    "o=- 1 1 IN IP4 0.0.0.0",
    "s=-",
    "t=0 0",
    "m=audio 50000 UDP/TLS/RTP/SAVPF 96",
    "c=IN IP4 127.0.0.1",
    "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
    "a=end-of-candidates",
    "m=video 0 UDP/TLS/RTP/SAVPF 97",
]


class Caller:
    """A participant of the simulator with a real aiortc call and its event stream."""

    def __init__(self, simulator: Simulator, http: aiohttp.ClientSession) -> None:
        self.simulator = simulator
        self.http = http
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.token = ""
        self.uuid = ""
        self.call_uuid = ""
        self._events: aiohttp.ClientResponse | None = None
        self._buffer = b""

    def api(self, path: str) -> str:
        return f"{self.simulator.url}/api/client/v2/conferences/{ALIAS}/{path}"

    def control(self, path: str) -> str:
        return f"{self.simulator.url}/_sim/rooms/{ALIAS}/participants/{self.uuid}/{path}"

    async def post(self, url: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.post(url, json=body, headers={"token": self.token}) as response:
            return response.status, (await response.json())["result"]

    async def join(self) -> None:
        status, result = await self.post(self.api("request_token"), {"display_name": "Caller"})
        assert status == 200, result
        self.token, self.uuid = result["token"], result["participant_uuid"]
        self._events = await self.http.get(self.api("events"), headers={"token": self.token})

    async def call(self) -> None:
        self.pc.addTrack(VideoStreamTrack())
        self.pc.addTrack(AudioStreamTrack())
        await self.pc.setLocalDescription(await self.pc.createOffer())
        status, result = await self.post(
            self.api(f"participants/{self.uuid}/calls"),
            {"call_type": "WEBRTC", "sdp": self.pc.localDescription.sdp},
        )
        assert status == 200, result
        self.call_uuid = result["call_uuid"]
        await self.pc.setRemoteDescription(RTCSessionDescription(result["sdp"], "answer"))

    async def ack(self, body: Any = None) -> tuple[int, Any]:
        return await self.post(self.api(f"participants/{self.uuid}/calls/{self.call_uuid}/ack"),
                               body)

    async def next_event(self, name: str) -> Any:
        """The data of the next event called `name` on the stream."""
        assert self._events is not None
        marker = f"event: {name}\n".encode()
        while marker not in self._buffer:
            self._buffer += await asyncio.wait_for(self._events.content.readany(), 5)
        _, _, rest = self._buffer.partition(marker)
        data_line, _, self._buffer = rest.partition(b"\n\n")
        return json.loads(data_line.decode().removeprefix("data: "))

    async def call_state(self) -> dict[str, Any]:
        async with self.http.get(f"{self.simulator.url}/_sim/rooms/{ALIAS}") as response:
            room = (await response.json())["result"]
        return room["participants"][0]["calls"][-1]

    async def close(self) -> None:
        if self._events is not None:
            self._events.close()
        await self.pc.close()


@pytest.fixture
async def caller() -> AsyncIterator[Caller]:
    simulator = Simulator(load_demo_rooms())
    await simulator.start()
    context = ssl.create_default_context(cafile=str(simulator.ca_bundle))
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))
    participant = Caller(simulator, http)
    try:
        await participant.join()
        yield participant
    finally:
        await participant.close()
        await http.close()
        await simulator.stop()


async def test_server_offer_is_sent_as_the_event_and_the_ack_answer_is_applied(
    caller: Caller,
) -> None:
    await caller.call()
    assert await caller.ack() == (200, True)
    status, result = await caller.post(caller.control("renegotiate"), {"event": "update_sdp"})
    assert (status, result) == (200, {"call_uuid": caller.call_uuid, "event": "update_sdp"})
    offer = (await caller.next_event("update_sdp"))["sdp"]
    assert offer.startswith("v=0") and "m=video" in offer and "m=audio" in offer
    # While our answer is outstanding, another server offer is refused.
    status, result = await caller.post(caller.control("renegotiate"))
    assert status == 409 and "in progress" in result
    # A broken answer is refused and leaves the offer pending.
    status, result = await caller.ack({"sdp": "v=0\r\nnonsense"})
    assert status == 400 and result.startswith("Invalid SDP answer")
    await caller.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
    await caller.pc.setLocalDescription(await caller.pc.createAnswer())
    assert await caller.ack({"sdp": caller.pc.localDescription.sdp}) == (200, True)
    call = await caller.call_state()
    assert (call["server_offers"], call["server_offers_answered"]) == (1, 1)
    # An answer nobody asked for is refused; the default event is new_offer.
    status, result = await caller.ack({"sdp": caller.pc.localDescription.sdp})
    assert status == 400 and "no offer" in result
    status, result = await caller.post(caller.control("renegotiate"))
    assert (status, result["event"]) == (200, "new_offer")
    assert (await caller.next_event("new_offer"))["sdp"].startswith("v=0")


async def test_renegotiate_needs_a_live_call_and_a_known_event(caller: Caller) -> None:
    status, result = await caller.post(caller.control("renegotiate"))
    assert status == 404 and result == "The participant has no call"
    await caller.call()
    status, result = await caller.post(caller.control("renegotiate"), {"event": "offer"})
    assert status == 400 and "new_offer or update_sdp" in result
    async with caller.http.post(
        f"{caller.simulator.url}/_sim/rooms/{ALIAS}/participants/nobody/renegotiate"
    ) as response:
        assert response.status == 404


async def test_ice_blackhole_answers_with_candidates_nobody_answers(caller: Caller) -> None:
    url = f"{caller.simulator.url}/_sim/faults"
    async with caller.http.post(url, json={"path_contains": "/calls",
                                           "ice_blackhole": "yes"}) as response:
        assert response.status == 400
    async with caller.http.post(url, json={"path_contains": "/calls",
                                           "ice_blackhole": True}) as response:
        assert (await response.json())["result"]["fault"]["ice_blackhole"] is True
    await caller.call()
    answer = caller.pc.remoteDescription.sdp
    call = await caller.call_state()
    assert call["media"]["ice_blackhole"] is True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 3.0
    while call["media"]["blackholed_datagrams"] == 0 and loop.time() < deadline:
        await asyncio.sleep(0.1)
        call = await caller.call_state()
    # Our checks reached the black hole and were never answered: ICE does not complete.
    assert call["media"]["blackholed_datagrams"] > 0
    assert caller.pc.iceConnectionState != "completed"
    assert caller.pc.connectionState != "connected"
    assert call["media"]["connection_state"] != "connected"
    candidates = [line for line in answer.splitlines() if line.startswith("a=candidate:")]
    assert candidates and all(" 127.0.0.1 " in line for line in candidates)
    # The fault was used up: the next call is a normal one.
    caller.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    await caller.call()
    assert (await caller.call_state())["media"]["ice_blackhole"] is False


def test_sdp_candidates_are_redirected_or_removed() -> None:
    offer = "\r\n".join(OFFER_LINES) + "\r\n"
    redirected = redirect_candidates(offer, "127.0.0.1", 40000).splitlines()
    assert "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host" in redirected
    assert "m=audio 40000 UDP/TLS/RTP/SAVPF 96" in redirected
    assert "m=video 0 UDP/TLS/RTP/SAVPF 97" in redirected  # a rejected m-line stays rejected
    stripped = without_candidates(offer)
    assert "a=candidate" not in stripped and "end-of-candidates" not in stripped
    assert stripped.splitlines()[:6] == OFFER_LINES[:6]


def test_black_pictures_and_silence_are_recognised() -> None:
    planes = np.full((540, 640), 128, np.uint8)
    planes[:360] = 16
    black = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    assert is_black_video(black)
    planes[100:110, 300:310] = 235  # a small bright block is enough to be a picture
    assert not is_black_video(av.VideoFrame.from_ndarray(planes, format="yuv420p"))
    rgb = np.zeros((360, 640, 3), np.uint8)
    assert is_black_video(av.VideoFrame.from_ndarray(rgb, format="rgb24"))
    silence = av.AudioFrame.from_ndarray(np.zeros((1, 960), np.int16), format="s16", layout="mono")
    assert is_silent_audio(silence)
    tone = np.zeros((1, 960), np.int16)
    tone[0, 480] = 3
    assert not is_silent_audio(av.AudioFrame.from_ndarray(tone, format="s16", layout="mono"))
