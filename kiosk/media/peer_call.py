"""One WebRTC call with aiortc: the room's devices out, the meeting's media in.

`AiortcMediaCall` implements `kiosk.media.interface.MediaCall`. Devices are
opened per call by `create_offer` (or by `answer_offer` for a server-initiated
call), in worker threads, so a device that is missing, busy or just plugged
back in is found out at each call and never stops it: a missing camera gives
a receive-only video stream, a missing microphone a receive-only audio stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from kiosk.config import Settings
from kiosk.infinity.models import IceServer
from kiosk.media.address_watch import AddressSource, host_addresses, watch_addresses
from kiosk.media.bitrate_cap import video_bitrate_cap_bps
from kiosk.media.call_stats import BitrateMeter, read_report
from kiosk.media.camera_source import open_camera
from kiosk.media.codec_preferences import video_codec_preferences
from kiosk.media.encoded_video_track import EncodedVideoTrack, EncodingOptions
from kiosk.media.encoder_choice import EncoderChoice, EncoderPreference
from kiosk.media.frame_mailbox import FrameMailbox
from kiosk.media.ice_configuration import rtc_configuration
from kiosk.media.interface import MediaFailed, MediaStats
from kiosk.media.microphone_source import open_microphone
from kiosk.media.offer_checks import check_answer, check_offer
from kiosk.media.opened_source import OpenedSource
from kiosk.media.outgoing_audio import OutgoingAudioTrack
from kiosk.media.outgoing_video import OutgoingVideoTrack
from kiosk.media.rate_meter import RateMeter
from kiosk.media.remote_video import read_remote_video
from kiosk.media.sent_codec import sent_video_codec
from kiosk.media.slides_sdp import mark_slides, slides_answered, slides_mid
from kiosk.media.speaker_sink import SpeakerSink
from kiosk.session_state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 5.0
SETTLED_STATES = frozenset({"connected", "failed", "closed"})


class AiortcMediaCall:
    """One call: a single RTCPeerConnection with audio and video, send and receive.

    Beyond `MediaCall`: `microphone_muted` / `camera_muted` (kept across
    renegotiation; a new call object starts unmuted, so the session re-applies
    them), `on_device_change(callback)` (a device status changed mid-call),
    `connection_state`, `configuration` and `speaker_sink` (counters of received sound).

    Presentation receive (`settings.presentation == "stream"`): the offer has a second,
    receive-only video m-line tagged `a=content:slides`; what the node sends there goes
    to `presentation_video`, and `slides_negotiated` says whether the node's answer
    accepted it (if not, the session falls back to the presentation JPEGs).
    """

    def __init__(
        self,
        settings: Settings,
        ice_servers: Sequence[IceServer] = (),
        bandwidth_out_kbps: int | None = None,
        relay_only: bool = False,
        bandwidth_in_kbps: int | None = None,
        encoder_choice: EncoderChoice | None = None,
        encoding: EncodingOptions | None = None,
        video_codecs: Sequence[str] | None = None,
        address_source: AddressSource = host_addresses,
    ) -> None:
        self._settings = settings
        self._bandwidth_in_kbps = bandwidth_in_kbps
        self._encoder_choice = encoder_choice or EncoderChoice(
            EncoderPreference(settings.video_encoder)
        )
        self._encoding = encoding
        self._video_codecs = tuple(video_codecs or settings.video_codecs)
        self._address_source = address_source
        self._configuration = rtc_configuration(ice_servers, relay_only)
        self._bitrate_cap_bps = video_bitrate_cap_bps(bandwidth_out_kbps)
        self.camera = DeviceStatus()
        self.microphone = DeviceStatus()
        self.speaker = DeviceStatus()
        self.remote_video = FrameMailbox()
        self.local_video = FrameMailbox()
        self.presentation_video = FrameMailbox()
        self._slides: RTCRtpTransceiver | None = None
        self._slides_mid: str | None = None
        self._slides_negotiated = False
        self._slides_meter = RateMeter()
        self._pc: RTCPeerConnection | None = None
        self._video_out: OutgoingVideoTrack | None = None
        self._video_send: EncodedVideoTrack | None = None  # encodes _video_out for the sender
        self._send_codec = ""  # the negotiated video codec, once known
        self._audio_out: OutgoingAudioTrack | None = None
        self._sources: list[OpenedSource] = []
        self._speaker: SpeakerSink | None = None
        self._remote_meter = RateMeter()
        self._bitrates = BitrateMeter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._settled = asyncio.Event()
        self._was_connected = False
        self._closing = False
        self._failure_callbacks: list[Callable[[str], None]] = []
        self._device_callbacks: list[Callable[[], None]] = []
        self._microphone_muted = False
        self._camera_muted = False

    # -- state ---------------------------------------------------------------

    @property
    def microphone_muted(self) -> bool:
        """True while silence is sent instead of the microphone."""
        return self._microphone_muted

    @property
    def camera_muted(self) -> bool:
        """True while black frames are sent instead of the camera."""
        return self._camera_muted

    @property
    def connection_state(self) -> str:
        """aiortc's connectionState ("new" before the offer)."""
        return self._pc.connectionState if self._pc is not None else "new"

    @property
    def slides_negotiated(self) -> bool:
        """True when the node accepted the slides m-line (it sends presentations there)."""
        return self._slides_negotiated

    @property
    def slides_frames_received(self) -> int:
        """Frames decoded from the slides m-line so far."""
        return self._slides_meter.count

    @property
    def speaker_sink(self) -> SpeakerSink | None:
        """Where the received sound goes (frame and silence counters), once devices are open."""
        return self._speaker

    @property
    def configuration(self) -> RTCConfiguration:
        """The RTCConfiguration of the peer connection: the token's ICE servers only."""
        return self._configuration

    @property
    def peer_connection(self) -> RTCPeerConnection | None:
        """The underlying RTCPeerConnection (for diagnostics and tests)."""
        return self._pc

    def on_failure(self, callback: Callable[[str], None]) -> None:
        """Call `callback(reason)` on the loop if the connection fails after it was up."""
        self._failure_callbacks.append(callback)

    def on_device_change(self, callback: Callable[[], None]) -> None:
        """Call `callback()` on the loop when a device's status changes during the call."""
        self._device_callbacks.append(callback)

    def set_microphone_muted(self, muted: bool) -> None:
        """Send silence instead of the microphone (or the microphone again)."""
        self._microphone_muted = muted
        if self._audio_out is not None:
            self._audio_out.muted = muted

    def set_camera_muted(self, muted: bool) -> None:
        """Send black frames instead of the camera (or the camera again)."""
        self._camera_muted = muted
        if self._video_out is not None:
            self._video_out.muted = muted

    # -- negotiation ---------------------------------------------------------

    async def create_offer(self) -> str:
        """Open the devices and return the SDP offer with all candidates.

        Called again on a live call, it returns a renegotiation offer (for `update`).
        """
        self._check_open()
        if self._pc is None:
            await self._open_devices()
            pc = self._new_peer_connection()
            audio = pc.addTransceiver(
                self._audio_out or "audio", direction=self._direction(self._audio_out)
            )
            video = pc.addTransceiver(
                self._video_send or "video", direction=self._direction(self._video_send)
            )
            video.setCodecPreferences(video_codec_preferences(self._video_codecs))
            self._attach_encoder(video)
            if self._settings.presentation == "stream":
                self._slides = pc.addTransceiver("video", direction="recvonly")
                self._slides.setCodecPreferences(video_codec_preferences(self._video_codecs))
            log.debug("Offering audio %s, video %s%s", audio.direction, video.direction,
                      ", slides recvonly" if self._slides is not None else "")
        pc = self._require_pc()
        try:
            await pc.setLocalDescription(await pc.createOffer())
        except Exception as exc:
            raise MediaFailed(f"could not create the media offer ({exc})") from exc
        if self._slides is not None:
            self._slides_mid = self._slides.mid
        main_mids = [t.mid for t in pc.getTransceivers()
                     if t is not self._slides and t.mid is not None]
        # aiortc keeps its own description; the node gets the text with Pexip's additions.
        return mark_slides(pc.localDescription.sdp, self._slides_mid, self._bandwidth_in_kbps,
                           main_mids=main_mids)

    async def apply_answer(self, sdp: str) -> None:
        """Apply the node's SDP answer; MediaFailed if it cannot be used (NewCallNeeded when
        a new call can do what this one cannot)."""
        pc = self._require_pc()
        check_answer(sdp)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        except Exception as exc:
            raise MediaFailed(f"the node's media answer could not be used ({exc})") from exc
        self._send_codec = ""  # negotiated again: read at the next frame
        if self._slides_mid is not None:
            self._slides_negotiated = slides_answered(sdp, self._slides_mid)
            log.info("Presentation receive: %s", "slides m-line accepted"
                     if self._slides_negotiated else "the node did not accept the slides m-line")

    async def answer_offer(self, sdp: str) -> str:
        """Answer a server-initiated offer (new_offer / update_sdp) and return the answer SDP.

        NewCallNeeded when this call cannot follow the offer (an ICE restart, no video codec
        aiortc can send): answering it would keep stale ICE or fail the call.
        """
        self._check_open()
        fresh = self._pc is None
        if not fresh:
            remote = self._require_pc().remoteDescription
            check_offer(remote.sdp if remote is not None else None, sdp)
        if fresh:
            await self._open_devices()
            self._new_peer_connection()
        pc = self._require_pc()
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            offered_slides = slides_mid(sdp)
            if offered_slides is not None and self._settings.presentation == "stream":
                self._slides_mid = offered_slides
                self._slides = next(
                    (t for t in pc.getTransceivers() if t.mid == offered_slides), None)
                self._slides_negotiated = self._slides is not None
            if fresh:
                self._attach_tracks_to_offered(pc.getTransceivers())
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            raise MediaFailed(f"could not answer the node's media offer ({exc})") from exc
        self._send_codec = ""  # negotiated again: read at the next frame
        slides = self._slides_mid if self._slides_negotiated else None
        return mark_slides(pc.localDescription.sdp, slides)

    async def wait_connected(self, timeout: float) -> None:
        """Return once ICE and DTLS are up; MediaFailed on failure or after `timeout` seconds."""
        pc = self._require_pc()
        try:
            async with asyncio.timeout(timeout):
                while pc.connectionState not in SETTLED_STATES:
                    self._settled.clear()
                    await self._settled.wait()
        except TimeoutError:
            raise MediaFailed(
                f"no media connection within {timeout:g} s (ICE/DTLS did not complete)"
            ) from None
        if pc.connectionState != "connected":
            raise MediaFailed(f"the media connection {pc.connectionState} (ICE/DTLS)")

    # -- stats and close -----------------------------------------------------

    async def stats(self) -> MediaStats:
        """Counters of the call so far."""
        pc = self._pc
        try:
            totals = read_report(await pc.getStats() if pc is not None else {})
        except Exception:  # a closed or half-built connection: counters only
            totals = read_report({})
        out_kbps, in_kbps = self._bitrates.update(totals.bytes_sent, totals.bytes_received)
        video_out = self._video_send
        return MediaStats(
            frames_sent=video_out.meter.count if video_out else 0,
            frames_received=self._remote_meter.count,
            fps_sent=round(video_out.meter.rate(), 1) if video_out else 0.0,
            fps_received=round(self._remote_meter.rate(), 1),
            resolution_sent=video_out.meter.last_size if video_out else None,
            resolution_received=self._remote_meter.last_size,
            codec=self._video_codec(),
            bitrate_out_kbps=round(out_kbps, 1),
            bitrate_in_kbps=round(in_kbps, 1),
            packets_lost=totals.packets_lost,
            round_trip_ms=(round(totals.round_trip_ms, 1)
                           if totals.round_trip_ms is not None else None),
            audio_packets_sent=totals.audio_packets_sent,
            audio_packets_received=totals.audio_packets_received,
            first_remote_frame_at=self.remote_video.first_frame_at,
            slides_frames_received=self._slides_meter.count,
            fps_slides_received=round(self._slides_meter.rate(), 1),
            resolution_slides_received=self._slides_meter.last_size,
        )

    async def close(self) -> None:
        """Stop the devices and close the peer connection; never raises. Idempotent."""
        if self._closing:
            return
        self._closing = True
        # Each step on its own: a device that fails to stop (unplugged) must not leave the
        # peer connection open.
        stops = [
            track.stop
            for track in (self._video_send, self._video_out, self._audio_out)
            if track is not None
        ]
        for stop in (*stops, *(source.stop for source in self._sources)):
            try:
                stop()
            except Exception:
                log.warning("Stopping a media device failed", exc_info=True)
        if self._speaker is not None:
            await self._speaker.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._pc is not None:
            try:
                await asyncio.wait_for(self._pc.close(), CLOSE_TIMEOUT)
            except Exception:
                log.warning("Closing the media connection did not finish cleanly", exc_info=True)
        self.local_video.clear()
        self.presentation_video.clear()

    # -- internals -----------------------------------------------------------

    async def _open_devices(self) -> None:
        loop = asyncio.get_running_loop()
        camera, microphone, speaker = await asyncio.gather(
            asyncio.to_thread(open_camera, self._settings),
            asyncio.to_thread(open_microphone, self._settings.microphone, loop),
            asyncio.to_thread(SpeakerSink.open, self._settings.speaker),
        )
        self._sources = [camera, microphone]
        if self._closing:  # closed while the devices were opening
            camera.stop()
            microphone.stop()
            await speaker.stop()
            raise MediaFailed("the call was closed")
        self.camera, self.microphone = camera.status, microphone.status
        self.speaker = speaker.status
        self._speaker = speaker
        if camera.track is not None:
            self._video_out = OutgoingVideoTrack(camera.track, self.local_video, self._camera_lost)
            self._video_out.muted = self._camera_muted
            self._video_send = EncodedVideoTrack(
                self._video_out,
                codec=self._codec_to_send,
                choice=self._encoder_choice,
                ceiling=self._settings.camera_size,
                fps=self._settings.camera_fps,
                cap_bps=self._bitrate_cap_bps,
                options=self._encoding,
            )
        if microphone.track is not None:
            self._audio_out = OutgoingAudioTrack(microphone.track, self._microphone_lost)
            self._audio_out.muted = self._microphone_muted
        log.info(
            "Media devices: camera %s%s, microphone %s%s, speaker %s%s",
            camera.status.state.value, f" ({camera.label or camera.status.reason})",
            microphone.status.state.value,
            f" ({microphone.label or microphone.status.reason})",
            speaker.status.state.value, f" ({speaker.status.reason or self._settings.speaker})",
        )

    def _new_peer_connection(self) -> RTCPeerConnection:
        pc = RTCPeerConnection(self._configuration)
        pc.on("track", self._on_remote_track)
        pc.on("connectionstatechange", self._on_connection_state)
        self._pc = pc
        return pc

    def _attach_tracks_to_offered(self, transceivers: list[RTCRtpTransceiver]) -> None:
        # The offer created the transceivers (receive-only); add what we have to send.
        used: set[str] = set()
        for transceiver in transceivers:
            if transceiver is self._slides:
                continue  # receive-only: the room never presents
            kind = transceiver.kind
            track: MediaStreamTrack | None = None
            if kind == "audio":
                track = self._audio_out
            elif kind == "video":
                track = self._video_send
            if track is None or kind in used:
                continue
            used.add(kind)
            transceiver.sender.replaceTrack(track)
            transceiver.direction = "sendrecv"
            if kind == "video":
                self._attach_encoder(transceiver)

    def _attach_encoder(self, video: RTCRtpTransceiver) -> None:
        if self._video_send is not None:
            self._video_send.attach(video.sender)

    def _codec_to_send(self) -> str:
        # What aiortc's sender packetizes with (see `sent_video_codec`), once negotiated.
        if not self._send_codec:
            self._send_codec = sent_video_codec(self._pc)
        return self._send_codec or self._video_codecs[0]

    @property
    def video_encoding(self) -> EncodedVideoTrack | None:
        """The outgoing video's encoder track (its counters and scaler), once devices are open."""
        return self._video_send

    @staticmethod
    def _direction(track: MediaStreamTrack | None) -> str:
        return "sendrecv" if track is not None else "recvonly"

    def _on_remote_track(self, track: MediaStreamTrack) -> None:
        slides = self._slides
        if slides is not None and slides.receiver.track is track:
            self._spawn(read_remote_video(track, self.presentation_video, self._slides_meter))
        elif track.kind == "video":
            self._spawn(read_remote_video(track, self.remote_video, self._remote_meter))
        elif track.kind == "audio" and self._speaker is not None:
            self._speaker.start(track)

    def _on_connection_state(self) -> None:
        pc = self._pc
        if pc is None:
            return
        state = pc.connectionState
        log.debug("Media connection %s", state)
        if state in SETTLED_STATES:
            self._settled.set()
        if state == "connected":
            if not self._was_connected:
                self._spawn(watch_addresses(pc.localDescription.sdp, self._addresses_changed,
                                            self._address_source))
            self._was_connected = True
        elif state in ("failed", "closed") and self._was_connected and not self._closing:
            reason = (
                "the media connection failed" if state == "failed"
                else "the far end closed the media connection"
            )
            self._notify(self._failure_callbacks, reason)

    def _addresses_changed(self, reason: str) -> None:
        if not self._closing:
            log.warning("Media: %s; the call is replaced", reason)
            self._notify(self._failure_callbacks, reason)

    def _camera_lost(self, reason: str) -> None:
        self.camera = DeviceStatus(DeviceState.UNAVAILABLE, reason)
        self._notify(self._device_callbacks)

    def _microphone_lost(self, reason: str) -> None:
        self.microphone = DeviceStatus(DeviceState.UNAVAILABLE, reason)
        self._notify(self._device_callbacks)

    def _notify(self, callbacks: list[Callable[..., None]], *args: str) -> None:
        for callback in list(callbacks):
            try:
                callback(*args)
            except Exception:
                log.exception("A media callback failed")

    def _video_codec(self) -> str:
        # What the sender encodes with, not the answer's first listed codec.
        return sent_video_codec(self._pc)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _require_pc(self) -> RTCPeerConnection:
        if self._pc is None:
            raise MediaFailed("no media offer was made for this call")
        return self._pc

    def _check_open(self) -> None:
        if self._closing:
            raise MediaFailed("the call was closed")
