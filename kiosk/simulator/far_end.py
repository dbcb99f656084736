"""The simulator's WebRTC far end: one aiortc peer per call.

It answers the kiosk's offer, sends its picture (`far_end_video.py`: the
labelled pattern, or a meeting's 720p picture) and a tone, and counts
what it receives (video frames and their resolution, how many were black,
audio packets and how many were silent) for `GET /_sim/rooms/{alias}`. It can
also renegotiate from its side (a server offer the kiosk answers with `ack`),
or, as an injected fault, answer with an ICE that never responds
(`ice_blackhole.py`). ICE uses no STUN/TURN server at all: the simulator only
ever talks over the local network (loopback in tests and the demo).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcconfiguration import RTCBundlePolicy

from kiosk.media.codec_preferences import negotiated_codec
from kiosk.media.microphone_source import ToneTrack
from kiosk.media.slides_sdp import slides_mid, tag_answer_slides
from kiosk.simulator.far_end_video import FarEndVideo, FarEndVideoSource
from kiosk.simulator.frame_checks import is_black_video, is_silent_audio
from kiosk.simulator.ice_blackhole import SilentUdpPort, redirect_candidates, without_candidates
from kiosk.simulator.pattern_video import PatternStatus, PatternVideoTrack
from kiosk.simulator.presenter import SlidesFeed, SlidesTrack

__all__ = [
    "AiortcFarEnds", "FarEnd", "FarEndFactory", "FarEndPeer", "MediaCounters", "PatternStatus",
]

log = logging.getLogger(__name__)

BLACKHOLE_HOST = "127.0.0.1"  # the simulator's far ends only ever use loopback
FAR_END_TONE_LEVEL = 0.1  # quieter than a test microphone: a meeting playing in the background


@dataclass
class MediaCounters:
    """What the far end received from one participant's call."""

    video_frames_received: int = 0
    video_keyframes_received: int = 0
    black_video_frames: int = 0
    video_width: int | None = None
    video_height: int | None = None
    audio_packets_received: int = 0
    silent_audio_frames: int = 0
    first_video_frame_at: float | None = None
    last_video_frame_at: float | None = None


class FarEndPeer(Protocol):
    """What the node needs of a call's far end (an aiortc `FarEnd`, or a test's own peer)."""

    @property
    def closed(self) -> bool:
        """True once `close()` was called."""
        ...

    async def answer(self, offer_sdp: str) -> str:
        """The answer to the kiosk's offer; ValueError for a bad offer."""
        ...

    async def renegotiate(self, offer_sdp: str) -> str:
        """The answer to a new offer on the same call (`update`)."""
        ...

    async def create_offer(self) -> str:
        """A new offer of ours (`new_offer` / `update_sdp`); ValueError if not now."""
        ...

    async def apply_answer(self, answer_sdp: str) -> None:
        """The kiosk's answer to our offer; ValueError if there is none or it is bad."""
        ...

    def stats(self) -> dict[str, Any]:
        """Connection state and media counters, as JSON-ready values."""
        ...

    async def close(self) -> None:
        """End the call's media. Idempotent."""
        ...


class FarEndFactory(Protocol):
    """Makes the far end of each new call (`label`: "alias/display name")."""

    def __call__(self, label: str, status: Callable[[], PatternStatus],
                 ice_blackhole: bool) -> FarEndPeer:
        """A far end for one call."""
        ...


class FarEnd:
    """One call's peer connection, its outgoing tracks and its receive counters.

    With `ice_blackhole`, its answer points the kiosk at a port that never
    replies and its own peer never checks the kiosk: ICE cannot complete.
    `video` makes its picture (default: the labelled 640x360 pattern).
    """

    def __init__(
        self, label: str, status: Callable[[], PatternStatus], ice_blackhole: bool = False,
        video: FarEndVideoSource | None = None,
    ) -> None:
        self.label = label
        # Presentations (`set_presentation`): the slides m-line of the offer (if answered),
        # or the main video for a call made with `present: "main"` (see presenter.py).
        self._slides_feed: SlidesFeed | None = None
        self._answer_slides = True
        self._present_main = False
        self._slides_mid: str | None = None
        self._slides_track: SlidesTrack | None = None
        self._status = status
        self._video = video or FarEndVideoSource(FarEndVideo(), bandwidth_in_kbps=0)
        self._blackhole = SilentUdpPort() if ice_blackhole else None
        # Max-bundle: aiortc's "balanced" leaves a second video m-line (the slides) on a
        # transport of its own that the BUNDLE never connects.
        self._pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self._video_tracks: list[Any] = []
        self._audio_tracks: list[ToneTrack] = []
        self._consumers: set[asyncio.Task[None]] = set()
        self._counters = MediaCounters()
        self._created = time.monotonic()
        self._closed = False
        self._pc.on("track", self._on_track)

    def set_presentation(self, feed: SlidesFeed, answer_slides: bool, present_main: bool) -> None:
        """Before `answer`: what this call gets of the room's presentations (an optional
        step of a far end: the node calls it when the far end has it)."""
        self._slides_feed = feed
        self._answer_slides = answer_slides
        self._present_main = present_main

    # ------------------------------------------------------------ negotiation

    async def answer(self, offer_sdp: str) -> str:
        """Apply the kiosk's offer and return the answer SDP; ValueError for a bad offer."""
        return await self._answer(offer_sdp)

    async def renegotiate(self, offer_sdp: str) -> str:
        """Answer a new offer on the same call (`update`)."""
        return await self._answer(offer_sdp)

    async def _answer(self, offer_sdp: str) -> str:
        if self._blackhole is None:
            return await self._negotiate(offer_sdp)
        # The kiosk's candidates are withheld from our peer: it must never reach the kiosk.
        answer = await self._negotiate(without_candidates(offer_sdp))
        return await self._into_blackhole(answer)

    async def _into_blackhole(self, sdp: str) -> str:
        assert self._blackhole is not None
        if not self._blackhole.port:
            await self._blackhole.open()
        return redirect_candidates(sdp, BLACKHOLE_HOST, self._blackhole.port)

    async def _negotiate(self, offer_sdp: str) -> str:
        if self._closed:
            raise ValueError("the call has ended")
        if not offer_sdp.lstrip().startswith("v=0") or "\nm=" not in offer_sdp:
            # aiortc accepts text without media sections; a node refuses it.
            raise ValueError("not an SDP offer with media")
        try:
            await self._pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:  # aiortc raises several types for a malformed SDP
            raise ValueError(str(exc) or type(exc).__name__) from None
        offered = slides_mid(offer_sdp)
        if offered is not None:
            self._slides_mid = offered
        self._attach_senders()
        answer = await self._pc.createAnswer()
        await self._pc.setLocalDescription(answer)
        sdp = self._pc.localDescription.sdp
        # As a node does: the accepted slides m-line is tagged in the answer text too.
        return tag_answer_slides(sdp, self._slides_mid) if self.slides_negotiated else sdp

    @property
    def slides_negotiated(self) -> bool:
        """True when this call's answer accepted a slides m-line (slides are sent there)."""
        return self._slides_track is not None

    @property
    def awaiting_answer(self) -> bool:
        """True between `create_offer()` and `apply_answer()`."""
        return self._pc.signalingState == "have-local-offer"

    async def create_offer(self) -> str:
        """A new offer on the live call (node-initiated renegotiation); ValueError if not now."""
        if self._closed:
            raise ValueError("the call has ended")
        if self._pc.signalingState != "stable" or self._pc.remoteDescription is None:
            raise ValueError("a negotiation is already in progress")
        await self._pc.setLocalDescription(await self._pc.createOffer())
        offer = self._pc.localDescription.sdp
        return offer if self._blackhole is None else await self._into_blackhole(offer)

    async def apply_answer(self, answer_sdp: str) -> None:
        """Apply the kiosk's answer to our offer; ValueError if there is no offer or it is bad."""
        if self._closed:
            raise ValueError("the call has ended")
        if not self.awaiting_answer:
            raise ValueError("no offer of ours is waiting for an answer")
        if not answer_sdp.lstrip().startswith("v=0") or "\nm=" not in answer_sdp:
            raise ValueError("not an SDP answer with media")
        if self._blackhole is not None:
            answer_sdp = without_candidates(answer_sdp)
        try:
            await self._pc.setRemoteDescription(
                RTCSessionDescription(sdp=answer_sdp, type="answer")
            )
        except Exception as exc:  # aiortc raises several types for a malformed SDP
            raise ValueError(str(exc) or type(exc).__name__) from None

    def _attach_senders(self) -> None:
        """Give every offered m-line without a sender its own outgoing track."""
        for transceiver in self._pc.getTransceivers():
            if transceiver.sender.track is not None or transceiver.stopped:
                continue
            if transceiver.mid is not None and transceiver.mid == self._slides_mid:
                # Without a sender the answer says `inactive`: an older node's answer.
                if self._answer_slides and self._slides_feed is not None:
                    self._slides_track = SlidesTrack(self._slides_feed)
                    self._pc.addTrack(self._slides_track)
                continue
            if transceiver.kind == "video":
                track: MediaStreamTrack = (
                    PatternVideoTrack(self._status, override=self._main_slide)
                    if self._present_main else self._video.track(self._status, self.video_codec))
                self._video_tracks.append(track)
            elif transceiver.kind == "audio":
                track = ToneTrack(level=FAR_END_TONE_LEVEL)
                self._audio_tracks.append(track)  # type: ignore[arg-type]
            else:
                continue
            self._pc.addTrack(track)

    def video_codec(self) -> str:
        """The video codec the call negotiated ("VP8", "H264"), "" before an answer."""
        for description in (self._pc.localDescription, self._pc.remoteDescription):
            if description is not None and description.type == "answer":
                return negotiated_codec(description.sdp, "video")
        return ""

    # --------------------------------------------------------------- receiving

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.get_running_loop().create_task(self._consume(track))
        self._consumers.add(task)
        task.add_done_callback(self._consumers.discard)

    async def _consume(self, track: MediaStreamTrack) -> None:
        counters = self._counters
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    now = time.monotonic() - self._created
                    counters.video_frames_received += 1
                    counters.video_keyframes_received += frame.key_frame
                    counters.black_video_frames += is_black_video(frame)
                    counters.video_width = frame.width
                    counters.video_height = frame.height
                    if counters.first_video_frame_at is None:
                        counters.first_video_frame_at = now
                    counters.last_video_frame_at = now
                else:
                    counters.audio_packets_received += 1
                    counters.silent_audio_frames += is_silent_audio(frame)
        except MediaStreamError:
            pass

    async def request_keyframe(self) -> int:
        """Ask the kiosk for a keyframe (RTCP PLI) on every video stream received; how many."""
        sent = 0
        for transceiver in self._pc.getTransceivers():
            if transceiver.kind != "video":
                continue
            receiver = transceiver.receiver
            for source in receiver.getSynchronizationSources():
                await receiver._send_rtcp_pli(source.source)  # aiortc's own PLI sender
                sent += 1
        return sent

    # ------------------------------------------------------------------ state

    def stats(self) -> dict[str, Any]:
        """Connection state and media counters, as JSON-ready values."""
        counters = self._counters
        resolution = [counters.video_width, counters.video_height] if counters.video_width else None
        return {
            "connection_state": self._pc.connectionState,
            "ice_state": self._pc.iceConnectionState,
            "video_frames_received": counters.video_frames_received,
            "video_keyframes_received": counters.video_keyframes_received,
            "black_video_frames": counters.black_video_frames,
            "video_resolution": resolution,
            "audio_packets_received": counters.audio_packets_received,
            "silent_audio_frames": counters.silent_audio_frames,
            "first_video_frame_after": counters.first_video_frame_at,
            "video_frames_sent": sum(t.frames_sent for t in self._video_tracks),
            "audio_frames_sent": sum(t.frames_sent for t in self._audio_tracks),
            "ice_blackhole": self._blackhole is not None,
            "blackholed_datagrams": self._blackhole.datagrams_received if self._blackhole else 0,
            "slides_negotiated": self.slides_negotiated,
            "slides_frames_sent": self._slides_track.frames_sent if self._slides_track else 0,
            "present_main": self._present_main,
        }

    def _main_slide(self) -> Any:
        """The slide to send in the main video of a `present: main` call, or None."""
        feed = self._slides_feed
        slide = feed.slide if feed is not None else None
        return slide.frame(main=True) if slide is not None else None

    @property
    def closed(self) -> bool:
        """True once `close()` was called."""
        return self._closed

    async def close(self) -> None:
        """Stop the tracks and the peer connection. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._blackhole is not None:
            self._blackhole.close()
        for track in [*self._video_tracks, *self._audio_tracks]:
            track.stop()
        if self._slides_track is not None:
            self._slides_track.stop()
        for task in list(self._consumers):
            task.cancel()
        with contextlib.suppress(Exception):
            await self._pc.close()
        if self._consumers:
            await asyncio.gather(*list(self._consumers), return_exceptions=True)
        log.debug("far end %s closed", self.label)


class AiortcFarEnds:
    """The simulator's own `FarEndFactory`: aiortc far ends sending `video` and a tone."""

    def __init__(self, video: FarEndVideo, bandwidth_in_kbps: int) -> None:
        self.source = FarEndVideoSource(video, bandwidth_in_kbps)

    def prepare(self) -> None:
        """Make or load the meeting clips (blocking: run it in a thread before serving)."""
        self.source.prepare()

    def __call__(self, label: str, status: Callable[[], PatternStatus],
                 ice_blackhole: bool) -> FarEnd:
        """A far end for one call."""
        return FarEnd(label, status, ice_blackhole, self.source)
