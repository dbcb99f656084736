"""The small interface through which the session drives media.

The session (`kiosk/conference.py`) only knows these protocols; `kiosk/media/`
implements them with aiortc, and a session created without a media factory
joins control-only (a participant with a token and no call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kiosk.infinity.models import IceServer
from kiosk.session_state import DeviceStatus

if TYPE_CHECKING:  # the session imports this module without loading PyAV
    from av import VideoFrame


class MediaFailed(Exception):
    """Media could not be established or was lost (ICE/DTLS failure, timeout)."""


class NewCallNeeded(MediaFailed):
    """The node asked for something this call cannot do (an ICE restart, a video codec it
    cannot send): a new call can. `video_codecs`: offer only these in it (None: as
    configured); `call_uuid`: the node's call that was refused (to hang it up)."""

    def __init__(self, reason: str, video_codecs: tuple[str, ...] | None = None) -> None:
        super().__init__(reason)
        self.video_codecs = video_codecs
        self.call_uuid: str | None = None


@dataclass(frozen=True)
class MediaStats:
    """Counters of one call, for the UI, the CLI summary and metrics."""

    frames_sent: int = 0
    frames_received: int = 0
    fps_sent: float = 0.0
    fps_received: float = 0.0
    resolution_sent: tuple[int, int] | None = None
    resolution_received: tuple[int, int] | None = None
    codec: str = ""
    bitrate_out_kbps: float = 0.0
    bitrate_in_kbps: float = 0.0
    packets_lost: int = 0
    round_trip_ms: float | None = None
    audio_packets_sent: int = 0
    audio_packets_received: int = 0
    first_remote_frame_at: float | None = None  # time.monotonic()
    slides_frames_received: int = 0  # on the slides m-line (presentation receive)
    fps_slides_received: float = 0.0
    resolution_slides_received: tuple[int, int] | None = None


@dataclass(frozen=True)
class RgbaFrame:
    """A decoded video frame converted to RGBA at a given size (diagnostics and tests; the
    display draws the decoded planes themselves)."""

    number: int  # increases by one per new decoded frame; equal number = same picture
    width: int
    height: int
    pixels: bytes  # width * height * 4 bytes, top row first


class VideoOutput(Protocol):
    """A one-slot mailbox of the newest decoded frame, pulled by the UI.

    The UI reads `frame_count` on every display tick and asks for the frame only when
    it moved; the frame is drawn as decoded (yuv420p planes go to the GPU), so a
    producer hands over `av.VideoFrame`s and never converts them itself.
    """

    @property
    def frame_count(self) -> int:
        """How many frames have arrived so far (0 = none yet)."""
        ...

    def latest_frame(self) -> VideoFrame | None:
        """The newest frame as decoded (no conversion), or None."""
        ...


class MediaCall(Protocol):
    """One WebRTC call: offer/answer, mute, stats, close."""

    camera: DeviceStatus
    microphone: DeviceStatus
    speaker: DeviceStatus
    remote_video: VideoOutput
    local_video: VideoOutput

    async def create_offer(self) -> str:
        """Open the sources and return the local SDP offer (all candidates included)."""
        ...

    async def apply_answer(self, sdp: str) -> None:
        """Apply the node's SDP answer."""
        ...

    async def answer_offer(self, sdp: str) -> str:
        """Answer a server-initiated offer (new_offer / update_sdp); return the answer SDP."""
        ...

    async def wait_connected(self, timeout: float) -> None:
        """Return once ICE and DTLS are up; raise MediaFailed on failure or timeout."""
        ...

    def on_failure(self, callback: Callable[[str], None]) -> None:
        """Call `callback(reason)` (on the loop) if the connection fails after it was up."""
        ...

    def set_microphone_muted(self, muted: bool) -> None:
        """Send silence instead of the microphone."""
        ...

    def set_camera_muted(self, muted: bool) -> None:
        """Send no picture (black) instead of the camera."""
        ...

    async def stats(self) -> MediaStats:
        """Current counters of the call."""
        ...

    async def close(self) -> None:
        """Stop the sources and close the peer connection; never raises."""
        ...


class MediaFactory(Protocol):
    """Makes one MediaCall per call, with the ICE servers of the token reply."""

    def create_call(
        self,
        ice_servers: Sequence[IceServer],
        bandwidth_out_kbps: int | None = None,
        relay_only: bool = False,
        bandwidth_in_kbps: int | None = None,
        video_codecs: Sequence[str] | None = None,
    ) -> MediaCall:
        """A new call object; sources are opened by `create_offer`. `video_codecs`
        (e.g. ("VP8",)) replaces the configured codecs for this call."""
        ...
