"""Receiving what someone presents: the events, the slides m-line or the JPEG fallback.

`PresentationReceiver` follows `presentation_start` / `presentation_stop` /
`presentation_frame` and says where the slides come from (`PresentationSource`):
the call's slides m-line when the node accepted it, else the presentation
JPEGs (`presentation_high.jpeg`, or `presentation.jpeg` on a receive budget of
at most 384 kbit/s). JPEGs: only the newest frame is fetched and never more than
one request is in flight; a frame announced while one is being fetched replaces
any other waiting one. A node that accepted the slides m-line but sends nothing there
for STREAM_GRACE_SECONDS while it announces images gets its images shown instead.
`KIOSK_PRESENTATION=main` leaves the slides to the main video and `off` ignores
presentations altogether.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError
from kiosk.infinity.models import Token
from kiosk.infinity.view_models import PresentationStart
from kiosk.media.frame_mailbox import FrameMailbox
from kiosk.media.interface import MediaCall, VideoOutput
from kiosk.meeting_view_state import PresentationSource, PresentationState

if TYPE_CHECKING:
    from av import VideoFrame

log = logging.getLogger(__name__)

LOW_BANDWIDTH_KBPS = 384  # at or below: the smaller presentation.jpeg
JPEG_TIMEOUT = 10.0
# A node that accepted the slides m-line but sends nothing there while it announces
# presentation images: after this long, the images are shown instead.
STREAM_GRACE_SECONDS = 2.0


class PresentationReceiver:
    """The presentation of one join. `on_change(state)` is called on every change."""

    def __init__(
        self,
        client: InfinityClient,
        alias: str,
        mode: str,
        token: Callable[[], Token | None],
        media: Callable[[], MediaCall | None],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        on_change: Callable[[PresentationState], None],
    ) -> None:
        self._client = client
        self._alias = alias
        self._mode = mode
        self._token = token
        self._media = media
        self._spawn = spawn
        self._on_change = on_change
        self.state = PresentationState()
        self.jpeg_video = FrameMailbox()
        self.jpegs_fetched = 0
        self.jpegs_failed = 0
        self._wanted: str | None = None  # the newest frame id announced
        self._fetching = False
        self._stream_frames_at_start = 0

    # ------------------------------------------------------------------ output

    @property
    def output(self) -> VideoOutput | None:
        """The slides to draw: the slides m-line or the JPEG mailbox (None: nothing to draw;
        with `main`, the slides are in the main video)."""
        source = self.state.source
        if source is PresentationSource.STREAM:
            media = self._media()
            return getattr(media, "presentation_video", None)
        if source is PresentationSource.JPEG:
            return self.jpeg_video
        return None

    def _source(self) -> PresentationSource:
        if self._mode == "main":
            return PresentationSource.MAIN
        if self._mode == "stream" and getattr(self._media(), "slides_negotiated", False):
            return PresentationSource.STREAM
        return PresentationSource.JPEG

    def refresh(self) -> None:
        """The call was (re)established: the slides m-line may have come or gone."""
        if self.state.active:
            self._set(replace(self.state, source=self._source()))

    # ------------------------------------------------------------------ events

    def on_start(self, start: PresentationStart) -> None:
        """`presentation_start` (all fields empty: revoked, as a stop)."""
        if self._mode == "off":
            return
        if start.revoked:
            self.on_stop()
            return
        log.info("Presentation started by %s", start.presenter_name or "someone")
        if not self.state.active:
            self._stream_frames_at_start = self._stream_frames()
        self._set(PresentationState(
            active=True, presenter_name=start.presenter_name,
            presenter_uuid=start.presenter_uuid, source=self._source(),
            started_at=self.state.started_at if self.state.active else time.monotonic(),
        ))

    def on_stop(self) -> None:
        """`presentation_stop`: back to the people."""
        if not self.state.active:
            return
        log.info("Presentation stopped")
        self._wanted = None
        self.jpeg_video.clear()
        # The last slide must not flash up when the next presentation starts.
        streamed = getattr(self._media(), "presentation_video", None)
        if isinstance(streamed, FrameMailbox):
            streamed.clear()
        self._set(PresentationState())

    def on_frame(self, frame_id: str | None) -> None:
        """`presentation_frame`: a new image; fetched unless the slides come another way."""
        if self.state.active and self._stream_silent():
            log.info("Nothing arrives on the slides m-line: showing the presentation images")
            self._set(replace(self.state, source=PresentationSource.JPEG))
        if not self.state.active or self.state.source is not PresentationSource.JPEG:
            return
        if not frame_id or not frame_id.isdigit():
            log.debug("presentation_frame without a numeric id: ignored")
            return
        self._wanted = frame_id
        if not self._fetching:
            self._fetching = True
            self._spawn(self._fetch_newest())

    def _stream_frames(self) -> int:
        video = getattr(self._media(), "presentation_video", None)
        return video.frame_count if video is not None else 0

    def _stream_silent(self) -> bool:
        started = self.state.started_at
        return (self.state.source is PresentationSource.STREAM and started is not None
                and time.monotonic() - started > STREAM_GRACE_SECONDS
                and self._stream_frames() == self._stream_frames_at_start)

    def close(self) -> None:
        """The join ended: forget the picture."""
        self._wanted = None
        self.jpeg_video.clear()
        self.state = PresentationState()

    # ------------------------------------------------------------------ JPEG fallback

    async def _fetch_newest(self) -> None:
        """Fetch frames one at a time until the newest announced one has been fetched."""
        try:
            while self._wanted is not None:
                frame_id, self._wanted = self._wanted, None
                await self._fetch(frame_id)
        finally:
            self._fetching = False

    async def _fetch(self, frame_id: str) -> None:
        token = self._token()
        if token is None:
            return
        high = not (token.bandwidth_in is not None and token.bandwidth_in <= LOW_BANDWIDTH_KBPS)
        try:
            data = await asyncio.wait_for(asyncio.to_thread(
                self._client.presentation_jpeg, self._alias, token.token, frame_id, high),
                JPEG_TIMEOUT)
            frame = await asyncio.to_thread(_decoded_jpeg, data)
        except (InfinityError, ValueError, TimeoutError) as exc:  # BadImage is a ValueError
            self.jpegs_failed += 1
            log.info("Presentation image %s not shown: %s", frame_id, exc)
            return
        if self.state.active and self.state.source is PresentationSource.JPEG:
            self.jpeg_video.put(frame)
            self.jpegs_fetched += 1

    def _set(self, state: PresentationState) -> None:
        if state != self.state:
            self.state = state
            self._on_change(state)


def _decoded_jpeg(data: bytes) -> VideoFrame:
    """The slide image as a frame; Pillow and PyAV load with the first image, not at start."""
    from kiosk.media.jpeg_frame import jpeg_to_frame

    return jpeg_to_frame(data)
