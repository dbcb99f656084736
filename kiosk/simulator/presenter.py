"""A simulated presenter: someone in the room shares a slide deck, as a Pexip node relays it.

`POST /_sim/rooms/{alias}/present` starts it. The node then, like a real one:
- sends `presentation_start` {presenter_name, presenter_uuid, presenter_uri} to everyone,
  and the presenter's `participant_update` with `is_presenting: "YES"`;
- sends the slides on the slides m-line (`a=content:slides`) of every call whose offer
  had one and whose answer accepted it (`SlidesTrack`, 1280x720 at 15 frames/s), in
  `stream` mode; into the main video of calls made with `present: "main"`;
- sends `presentation_frame` (its event id is the frame id) to the others (in `jpeg`
  mode to everyone) and serves `presentation_high.jpeg` / `presentation.jpeg`;
- sends `stage` events with the presenter speaking, at the start and on each slide;
- on stop, `presentation_stop` {} and `is_presenting: "NO"`;
- tells an event stream that connects meanwhile: after the roster, `presentation_start`
  and a `presentation_frame` (a room joining late, or reconnecting its stream).
A room can also be set to answer the slides m-line `inactive`, as an older node
does (`POST /_sim/rooms/{alias}/presentation_options {"answer_slides": false}`), and
a room may schedule a presenter some seconds after a room joins (the demo).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from kiosk.simulator.event_hub import EventHub
from kiosk.simulator.protocol_replies import ApiError
from kiosk.simulator.room_state import CallState, ParticipantRecord, RoomState
from kiosk.simulator.slide_deck import RenderedSlide, SlideDeck

log = logging.getLogger(__name__)

SLIDE_SECONDS = 4.0
SLIDES_FPS = 15
VIDEO_CLOCK_RATE = 90000
MODES = ("stream", "jpeg")


class SlidesFeed:
    """The slide a room's far ends send now (None: nobody presents)."""

    def __init__(self) -> None:
        self.stream_slide: RenderedSlide | None = None  # on the slides m-line (stream mode)
        self.slide: RenderedSlide | None = None  # into present=main main videos (any mode)
        self._live = asyncio.Event()

    def show(self, slide: RenderedSlide | None, streamed: bool) -> None:
        """The presentation shows `slide` now (None: it stopped)."""
        self.slide = slide
        self.stream_slide = slide if streamed else None
        if self.stream_slide is not None:
            self._live.set()
        else:
            self._live.clear()

    async def wait_streaming(self) -> RenderedSlide:
        """The current streamed slide, once there is one."""
        while self.stream_slide is None:
            await self._live.wait()
        return self.stream_slide


class SlidesTrack(MediaStreamTrack):
    """The slides m-line's video: the current slide at SLIDES_FPS while someone presents,
    nothing at all while nobody does."""

    kind = "video"

    def __init__(self, feed: SlidesFeed, fps: int = SLIDES_FPS) -> None:
        super().__init__()
        self._feed = feed
        self._step = VIDEO_CLOCK_RATE // fps
        self._start: float | None = None
        self._timestamp = 0
        self.frames_sent = 0

    async def recv(self) -> av.VideoFrame:
        """The next frame (waits while nobody presents)."""
        if self.readyState != "live":
            raise MediaStreamError
        idle = self._feed.stream_slide is None
        slide = await self._feed.wait_streaming()
        now = time.time()
        if self._start is None or idle:
            # (Re)start the clock where the timestamps left off: no burst after a pause.
            self._timestamp += self._step if self._start is not None else 0
            self._start = now - self._timestamp / VIDEO_CLOCK_RATE
        else:
            self._timestamp += self._step
            wait = self._start + self._timestamp / VIDEO_CLOCK_RATE - now
            if wait > 0:
                await asyncio.sleep(wait)
            slide = self._feed.stream_slide or slide
        frame = slide.frame()
        frame.pts = self._timestamp
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        self.frames_sent += 1
        return frame


@dataclass(eq=False)
class RoomPresentation:
    """Who presents in a room and where the deck is."""

    presenter: ParticipantRecord
    mode: str
    deck: SlideDeck
    index: int = 0
    frames: int = 0  # slide changes (one presentation_frame each for JPEG receivers)
    task: asyncio.Task[None] | None = None


@dataclass(eq=False)
class RoomSlides:
    """A room's presentation state and options."""

    feed: SlidesFeed = field(default_factory=SlidesFeed)
    answer_slides: bool = True
    presentation: RoomPresentation | None = None
    jpegs_served: dict[str, int] = field(default_factory=dict)
    low_jpegs_served: dict[str, int] = field(default_factory=dict)  # presentation.jpeg
    scheduled: asyncio.Task[None] | None = None
    presentations: int = 0


class Presenter:
    """The simulated presentations of every room of a node.

    `add_presenter(room, name)` adds a simulated participant (the node's own);
    `broadcast(room, name, data)` sends an event to the room's real participants.
    """

    def __init__(
        self,
        hub: EventHub,
        add_presenter: Callable[[RoomState, str], ParticipantRecord],
        broadcast: Callable[[RoomState, str, Any], None],
        slide_seconds: float = SLIDE_SECONDS,
    ) -> None:
        self._hub = hub
        self._add_presenter = add_presenter
        self._broadcast = broadcast
        self._slide_seconds = slide_seconds
        self._rooms: dict[str, RoomSlides] = {}

    def room(self, room: RoomState) -> RoomSlides:
        """The presentation state of `room`."""
        return self._rooms.setdefault(room.alias.lower(), RoomSlides())

    def feed(self, room: RoomState) -> SlidesFeed:
        """What the room's far ends send on slides m-lines and present=main videos."""
        return self.room(room).feed

    # ------------------------------------------------------------------ start and stop

    def start(self, room: RoomState, name: str, mode: str = "stream") -> dict[str, Any]:
        """`name` presents (a simulated participant of that name, added if absent)."""
        if mode not in MODES:
            raise ApiError(400, f"mode must be one of {', '.join(MODES)}")
        slides = self.room(room)
        if slides.presentation is not None:
            self.stop(room)
        presenter = next((p for p in room.participants.values()
                          if p.simulated and p.display_name == name), None)
        if presenter is None:
            presenter = self._add_presenter(room, name)
        presentation = RoomPresentation(presenter=presenter, mode=mode, deck=SlideDeck(name))
        slides.presentation = presentation
        slides.presentations += 1
        presenter.is_presenting = True
        self._broadcast(room, "participant_update", presenter.to_event(room.config))
        self._broadcast(room, "presentation_start", self._start_event(presenter))
        self._show_slide(room, slides, presentation)
        presentation.task = asyncio.get_running_loop().create_task(
            self._turn_pages(room, slides, presentation))
        log.info("%s presents in %s (%s)", name, room.alias, mode)
        return {"presenter_uuid": presenter.uuid, "mode": mode}

    def stop(self, room: RoomState) -> bool:
        """The presentation in `room` ends; False when there was none."""
        slides = self.room(room)
        presentation, slides.presentation = slides.presentation, None
        if presentation is None:
            return False
        if presentation.task is not None:
            presentation.task.cancel()
        slides.feed.show(None, streamed=False)
        presentation.presenter.is_presenting = False
        if room.participants.get(presentation.presenter.uuid) is presentation.presenter:
            self._broadcast(room, "participant_update",
                            presentation.presenter.to_event(room.config))
        self._broadcast(room, "presentation_stop", {})
        self._broadcast(room, "stage", self._stage(room, None))
        log.info("Presentation in %s stopped", room.alias)
        return True

    def presenter_left(self, room: RoomState, participant: ParticipantRecord) -> None:
        """A participant left: if they presented, the presentation ends."""
        presentation = self.room(room).presentation
        if presentation is not None and presentation.presenter is participant:
            self.stop(room)

    # ------------------------------------------------------------------ the demo's schedule

    def schedule(self, room: RoomState, name: str, delay: float) -> None:
        """`name` starts presenting `delay` seconds from now, unless someone already does
        or every room has left by then (one schedule at a time)."""
        slides = self.room(room)
        if slides.scheduled is not None and not slides.scheduled.done():
            return
        if slides.presentation is not None:
            return

        async def later() -> None:
            await asyncio.sleep(delay)
            if slides.presentation is None and room.real_participants:
                self.start(room, name)

        slides.scheduled = asyncio.get_running_loop().create_task(later())

    def room_emptied(self, room: RoomState) -> None:
        """No room is left in the meeting: the presenter stops and nothing stays scheduled."""
        slides = self.room(room)
        if slides.scheduled is not None:
            slides.scheduled.cancel()
            slides.scheduled = None
        self.stop(room)

    # ------------------------------------------------------------------ slides

    async def _turn_pages(self, room: RoomState, slides: RoomSlides,
                          presentation: RoomPresentation) -> None:
        while True:
            await asyncio.sleep(self._slide_seconds)
            presentation.index = (presentation.index + 1) % len(presentation.deck)
            self._show_slide(room, slides, presentation)

    def _show_slide(self, room: RoomState, slides: RoomSlides,
                    presentation: RoomPresentation) -> None:
        slide = presentation.deck.slide(presentation.index)
        slides.feed.show(slide, streamed=presentation.mode == "stream")
        presentation.frames += 1
        receivers = [p.uuid for p in room.real_participants
                     if presentation.mode == "jpeg" or not self._streams_to(p)]
        self._hub.broadcast(receivers, "presentation_frame", None)
        self._broadcast(room, "stage", self._stage(room, presentation.presenter))

    @staticmethod
    def _streams_to(participant: ParticipantRecord) -> bool:
        return any(call.state is not CallState.DISCONNECTED
                   and getattr(call.far_end, "slides_negotiated", False)
                   for call in participant.calls.values())

    @staticmethod
    def _stage(room: RoomState, speaker: ParticipantRecord | None) -> list[dict[str, Any]]:
        """The `stage` event: the speaker first (vad 100), then everyone else silent."""
        others = [p for p in room.participants.values() if p is not speaker]
        order = ([speaker] if speaker is not None else []) + others
        return [{"participant_uuid": p.uuid, "stage_index": index,
                 "vad": 100 if p is speaker else 0} for index, p in enumerate(order)]

    def replay(self, room: RoomState) -> list[tuple[str, Any]]:
        """What a new event stream is told after the roster: a presentation in progress
        (`presentation_start`, then a `presentation_frame` for the current image)."""
        presentation = self.room(room).presentation
        if presentation is None:
            return []
        return [("presentation_start", self._start_event(presentation.presenter)),
                ("presentation_frame", None)]

    @staticmethod
    def _start_event(presenter: ParticipantRecord) -> dict[str, str]:
        return {
            "presenter_name": presenter.display_name,
            "presenter_uuid": presenter.uuid,
            "presenter_uri": f"sip:{presenter.display_name.replace(' ', '.').lower()}"
                             "@sim.invalid",
        }

    def jpeg(self, room: RoomState, participant: ParticipantRecord, high: bool) -> bytes:
        """The current slide as the node's JPEG; 404 while nobody presents."""
        slides = self.room(room)
        presentation = slides.presentation
        if presentation is None:
            raise ApiError(404, "No presentation")
        slide = presentation.deck.slide(presentation.index)
        counts = slides.jpegs_served if high else slides.low_jpegs_served
        counts[participant.uuid] = counts.get(participant.uuid, 0) + 1
        return slide.jpeg_high if high else slide.jpeg_low

    # ------------------------------------------------------------------ state

    def snapshot(self, room: RoomState) -> dict[str, Any]:
        """The room's presentation for `GET /_sim/rooms/{alias}`."""
        slides = self.room(room)
        presentation = slides.presentation
        return {
            "answer_slides": slides.answer_slides,
            "presentations": slides.presentations,
            "jpegs_served": dict(slides.jpegs_served),
            "low_jpegs_served": dict(slides.low_jpegs_served),
            "presentation": None if presentation is None else {
                "presenter_name": presentation.presenter.display_name,
                "presenter_uuid": presentation.presenter.uuid,
                "mode": presentation.mode,
                "slide": presentation.index + 1,
                "frames": presentation.frames,
                "slides_rendered": presentation.deck.renders,
            },
        }

    async def close(self) -> None:
        """Stop every presentation and schedule (the node is stopping)."""
        tasks = []
        for slides in self._rooms.values():
            for task in (slides.scheduled,
                         slides.presentation.task if slides.presentation else None):
                if task is not None:
                    task.cancel()
                    tasks.append(task)
            slides.feed.show(None, streamed=False)
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
