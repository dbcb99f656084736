"""End-to-end media calls over loopback against a real aiortc far end.

The far end here is a plain RTCPeerConnection (lavfi picture and tone through
aiortc's MediaPlayer) that counts what it receives; the kiosk side is the
production `AiortcMediaCall` made by `AiortcMediaFactory`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable

import numpy as np
import pytest
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from kiosk.config import Settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.interface import MediaFailed
from kiosk.media.peer_call import AiortcMediaCall
from kiosk.session_state import DeviceState

# A small picture: the product default (1280x720) is measured by bench/, not here.
TEST_DEVICES = {"camera": "test", "microphone": "test", "speaker": "test",
                "camera_size": (640, 360)}


class FarEnd:
    """A real WebRTC peer on 127.0.0.1 that answers offers and counts received media."""

    def __init__(self, send_video: bool = True, send_audio: bool = True) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._players: list[MediaPlayer] = []
        self._send_video = send_video
        self._send_audio = send_audio
        self.video_frames = 0
        self.last_video: VideoFrame | None = None
        self.audio_frames = 0
        self.audio_peaks: list[int] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(self._read(track)))

    async def _read(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if isinstance(frame, VideoFrame):
                    self.video_frames += 1
                    self.last_video = frame
                elif isinstance(frame, AudioFrame):
                    self.audio_frames += 1
                    self.audio_peaks.append(int(np.abs(frame.to_ndarray()).max()))

    def _add_sources(self) -> None:
        kinds_sent: set[str] = set()
        for transceiver in self.pc.getTransceivers():
            if transceiver.kind in kinds_sent:
                continue  # the kiosk's slides m-line: nobody presents here
            kinds_sent.add(transceiver.kind)
            if transceiver.kind == "video" and self._send_video:
                player = MediaPlayer("testsrc=size=320x240:rate=30", format="lavfi")
            elif transceiver.kind == "audio" and self._send_audio:
                player = MediaPlayer("sine=frequency=440", format="lavfi")
            else:
                continue
            self._players.append(player)
            track = player.video if transceiver.kind == "video" else player.audio
            transceiver.sender.replaceTrack(track)
            transceiver.direction = "sendrecv"

    async def answer(self, offer: str) -> str:
        """Answer the kiosk's offer (sending a picture and a tone)."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        self._add_sources()
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    async def offer(self) -> str:
        """Make a server-style offer (audio and video, send and receive)."""
        for kind in ("audio", "video"):
            self.pc.addTransceiver(kind, direction="sendrecv")
        self._add_sources()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def make_call(bandwidth_out_kbps: int | None = None, **overrides: object) -> AiortcMediaCall:
    settings = Settings(display_name="Test room", **{**TEST_DEVICES, **overrides})  # type: ignore[arg-type]
    return AiortcMediaFactory(settings).create_call([], bandwidth_out_kbps=bandwidth_out_kbps)


@pytest.fixture
async def far_end() -> AsyncIterator[FarEnd]:
    peer = FarEnd()
    yield peer
    await peer.close()


async def connect(call: AiortcMediaCall, peer: FarEnd) -> None:
    offer = await call.create_offer()
    await call.apply_answer(await peer.answer(offer))
    await call.wait_connected(5.0)


async def test_video_and_audio_flow_both_ways_for_five_seconds(far_end: FarEnd) -> None:
    call = make_call()
    try:
        await connect(call, far_end)
        assert call.camera.state is DeviceState.ACTIVE
        assert call.microphone.state is DeviceState.ACTIVE
        await asyncio.sleep(5.2)
        stats = await call.stats()
        # Counted on both ends: ~150 frames each way in 5 s at 30 fps; the margin is for a
        # loaded 2-core CI machine (a stalled pipeline gives a small fraction of these).
        assert stats.frames_sent >= 120 and far_end.video_frames >= 110
        assert stats.frames_received >= 110 and call.remote_video.frame_count >= 110
        assert stats.fps_sent >= 20 and stats.fps_received >= 20
        assert stats.resolution_sent == (640, 360)
        assert stats.resolution_received == (320, 240)
        assert stats.codec == "VP8"
        assert stats.audio_packets_sent >= 200 and far_end.audio_frames >= 200
        assert stats.audio_packets_received >= 200
        sink = call.speaker_sink
        assert sink is not None and sink.frames >= 200 and sink.last_peak > 1000
        assert max(far_end.audio_peaks[-20:]) > 1000  # the test tone, not silence
        assert stats.bitrate_out_kbps > 50 and stats.bitrate_in_kbps > 50
        assert stats.round_trip_ms is not None and stats.round_trip_ms < 500
        assert stats.first_remote_frame_at is not None
        # The UI's pull: an RGBA picture of the far end and a self-view of the test pattern.
        remote = call.remote_video.latest_rgba(480, 480)
        assert remote is not None and (remote.width, remote.height) == (480, 360)
        local = call.local_video.latest_rgba(160, 90)
        assert local is not None and len(local.pixels) == 160 * 90 * 4
    finally:
        await call.close()


async def test_mute_sends_silence_and_black_and_unmute_restores(far_end: FarEnd) -> None:
    call = make_call()
    try:
        await connect(call, far_end)
        await wait_until(lambda: far_end.audio_frames > 25 and far_end.video_frames > 10)
        call.set_microphone_muted(True)
        call.set_camera_muted(True)
        assert call.microphone_muted and call.camera_muted
        await asyncio.sleep(1.0)  # what was in flight drains
        far_end.audio_peaks.clear()
        await asyncio.sleep(0.6)
        assert len(far_end.audio_peaks) >= 20
        assert max(far_end.audio_peaks) == 0  # every sample of every frame is zero
        assert far_end.last_video is not None
        assert far_end.last_video.to_ndarray(format="rgb24").max() <= 24  # black
        assert call.local_video.latest_rgba(64, 36) is None  # no self-view while off

        call.set_microphone_muted(False)
        call.set_camera_muted(False)
        await asyncio.sleep(1.0)
        assert max(far_end.audio_peaks[-10:]) > 1000
        assert far_end.last_video.to_ndarray(format="rgb24").max() > 200
    finally:
        await call.close()


@pytest.mark.parametrize(
    ("camera", "state", "reason_part"),
    [("none", DeviceState.DISABLED, "turned off"),
     ("/dev/video99", DeviceState.UNAVAILABLE, "/dev/video99")],
)
async def test_call_without_a_camera_stays_up_audio_only(
    far_end: FarEnd, camera: str, state: DeviceState, reason_part: str
) -> None:
    call = make_call(camera=camera)
    try:
        offer = await call.create_offer()
        video_section = offer[offer.index("m=video"):]
        assert "a=recvonly" in video_section  # receive the meeting, send no picture
        await call.apply_answer(await far_end.answer(offer))
        await call.wait_connected(5.0)
        assert call.camera.state is state and reason_part in call.camera.reason
        await asyncio.sleep(2.0)
        assert call.connection_state == "connected"
        stats = await call.stats()
        assert stats.frames_sent == 0 and far_end.video_frames == 0
        assert stats.frames_received > 30  # still sees the meeting
        assert far_end.audio_frames > 50  # and is heard
        assert call.local_video.latest_rgba(64, 36) is None
    finally:
        await call.close()


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_far_end_that_never_answers_ice_fails_within_the_timeout() -> None:
    call = make_call()
    peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        offer = await call.create_offer()
        await peer.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        # A real answer, but its only candidate is a port where nobody listens.
        answer = (await peer.createAnswer()).sdp
        candidate = f"a=candidate:1 1 udp 2130706431 127.0.0.1 {closed_udp_port()} typ host"
        lines = [line for line in answer.splitlines() if not line.startswith("a=candidate")]
        answer = "\r\n".join(
            f"{line}\r\n{candidate}" if line.startswith("m=") else line for line in lines
        ) + "\r\n"
        await call.apply_answer(answer)
        started = time.monotonic()
        with pytest.raises(MediaFailed) as failure:
            await call.wait_connected(2.0)
        assert time.monotonic() - started < 3.0
        assert "ICE" in str(failure.value)
    finally:
        await call.close()
        await peer.close()


async def test_failure_after_connecting_is_reported_once(far_end: FarEnd) -> None:
    call = make_call()
    reasons: list[str] = []
    call.on_failure(reasons.append)
    try:
        await connect(call, far_end)
        await wait_until(lambda: far_end.video_frames > 10)
        await far_end.close()  # the far end hangs up its DTLS transports
        await wait_until(lambda: bool(reasons), timeout=5.0)
        assert reasons == ["the far end closed the media connection"]
    finally:
        await call.close()
    assert reasons == ["the far end closed the media connection"]  # our own close is not a failure


async def test_answers_a_server_offer_and_renegotiates(far_end: FarEnd) -> None:
    call = make_call()
    try:
        answer = await call.answer_offer(await far_end.offer())
        await far_end.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        await call.wait_connected(5.0)
        await wait_until(lambda: far_end.video_frames > 10 and call.remote_video.frame_count > 10)
        assert far_end.audio_frames > 0

        # A renegotiation offer from the kiosk on the live call (the session's `update`).
        offer = await call.create_offer()
        await far_end.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await far_end.pc.setLocalDescription(await far_end.pc.createAnswer())
        await call.apply_answer(far_end.pc.localDescription.sdp)
        before = far_end.video_frames
        await wait_until(lambda: far_end.video_frames > before + 15)
        assert call.connection_state == "connected"
    finally:
        await call.close()


async def test_answers_a_server_re_offer_on_a_live_call(far_end: FarEnd) -> None:
    call = make_call()
    try:
        await connect(call, far_end)
        await wait_until(lambda: far_end.video_frames > 10)
        # The node renegotiates (new_offer / update_sdp): the kiosk answers on the same call.
        await far_end.pc.setLocalDescription(await far_end.pc.createOffer())
        answer = await call.answer_offer(far_end.pc.localDescription.sdp)
        await far_end.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        sent, received = far_end.video_frames, call.remote_video.frame_count
        await wait_until(lambda: far_end.video_frames > sent + 15
                         and call.remote_video.frame_count > received + 15)
        assert call.connection_state == "connected"
    finally:
        await call.close()


async def test_h264_first_when_configured(far_end: FarEnd) -> None:
    call = make_call(video_codecs=("H264", "VP8"))
    try:
        offer = await call.create_offer()
        video_line = next(line for line in offer.splitlines() if line.startswith("m=video"))
        first_payload = video_line.split()[3]
        assert f"a=rtpmap:{first_payload} H264/90000" in offer
        await call.apply_answer(await far_end.answer(offer))
        await call.wait_connected(5.0)
        await wait_until(lambda: far_end.video_frames > 10)
        assert (await call.stats()).codec == "H264"
    finally:
        await call.close()


async def test_bandwidth_out_caps_the_video_bitrate(far_end: FarEnd) -> None:
    call = make_call(bandwidth_out_kbps=400)
    try:
        await connect(call, far_end)
        await asyncio.sleep(4.0)  # the cap's control loop settles
        await call.stats()
        await asyncio.sleep(3.0)
        stats = await call.stats()
        # All media (video, audio, RTCP) within the budget, with 15% slack for packet overhead.
        assert 0 < stats.bitrate_out_kbps <= 400 * 1.15
        assert far_end.video_frames > 60
    finally:
        await call.close()


async def test_close_stops_the_devices_and_never_raises() -> None:
    call = make_call()
    await call.close()  # before any offer
    call = make_call()
    await call.create_offer()
    # The first two m-lines send; the third (slides) only receives.
    sender_tracks = [t.sender.track for t in call.peer_connection.getTransceivers()[:2]]  # type: ignore[union-attr]
    await call.close()
    await call.close()
    assert len(sender_tracks) == 2  # test camera and test microphone, both sending
    assert all(track is not None and track.readyState == "ended" for track in sender_tracks)
    assert call.connection_state == "closed"
    with pytest.raises(MediaFailed):
        await call.create_offer()


async def test_close_still_closes_the_connection_when_a_device_fails_to_stop() -> None:
    call = make_call()
    await call.create_offer()
    audio, video = (t.sender.track for t in call.peer_connection.getTransceivers()[:2])  # type: ignore[union-attr]
    assert video is not None and audio is not None

    def unplugged_camera_stop() -> None:
        raise OSError("No such device")

    video.stop = unplugged_camera_stop  # type: ignore[method-assign]
    await call.close()  # never raises
    assert audio.readyState == "ended"
    assert call.connection_state == "closed"


async def test_wait_connected_without_an_offer_is_a_media_failure() -> None:
    call = make_call()
    with pytest.raises(MediaFailed):
        await call.wait_connected(0.5)
    await call.close()
