"""Shows a media `VideoOutput`: pulls the newest frame on a Clock interval, draws only new ones.

Cost rules (the whole app must stay cheap in a call):
- the mailbox is polled once per display tick (or `pull_hz`) and only while `active`;
- a frame is fetched only when the mailbox's `frame_count` moved: no upload and no
  redraw when nothing changed;
- the decoded frame's Y, U and V planes go to the GPU as they are and a shader turns
  them into RGB (`YuvPicture`): no per-frame conversion, scaling or copy on the CPU;
  the GPU scales the picture to the widget, aspect kept;
- textures are created only when the frame size changes, flipped once (the frames are
  top row first) and mirrored once for a self-view.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock, ClockEvent
from kivy.graphics import Color, Rectangle
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, ObjectProperty
from kivy.uix.widget import Widget

from kiosk.media.interface import VideoOutput
from kiosk.ui.device.gl_renderer import is_software, renderer_name
from kiosk.ui.widgets.yuv_picture import YuvPicture

if TYPE_CHECKING:
    from av import VideoFrame

LEADER_IDLE_SECONDS = 0.2
# Mesa's llvmpipe pays ~0.8 ms a frame (800x450) per linearly filtered plane: on a software
# renderer the half-size chroma planes are sampled nearest, on a GPU linearly (free there).
SOFTWARE_CHROMA_FILTER = "nearest"


class VideoView(Widget):
    """A video surface fed by a `VideoOutput` (remote picture or self-view), aspect kept."""

    source: VideoOutput | None = ObjectProperty(None, allownone=True)
    active = BooleanProperty(False)
    mirror = BooleanProperty(False)
    pull_hz = NumericProperty(0.0)  # 0: every display tick
    has_frame = BooleanProperty(False)
    background = ColorProperty((0, 0, 0, 1))  # the running app's theme's (see __init__)
    # A view with a `leader` (the self-view follows the far end's video) pulls in the
    # same display tick as its leader's blits, so both share one redraw; only when the
    # leader has shown nothing for a while does it pull on its own, slowly.
    leader = ObjectProperty(None, allownone=True)

    __events__ = ("on_blit",)

    def __init__(self, **kwargs: object) -> None:
        self._event: ClockEvent | None = None
        self._seen_count = 0
        self.blits = 0  # frames actually drawn (benchmarks and tests read it)
        self.last_blit_at = 0.0
        self._followed: VideoView | None = None
        self.pulls = 0  # times a new frame was asked of the mailbox
        # The letterbox bars in the room's theme (a view made without the app stays black).
        theme = getattr(App.get_running_app(), "theme", None)
        if theme is not None:
            kwargs.setdefault("background", theme.palette.video_background)
        chroma_filter = SOFTWARE_CHROMA_FILTER if is_software(renderer_name()) else "linear"
        self._picture = YuvPicture(chroma_filter=chroma_filter)  # before kv sets `mirror`
        super().__init__(**kwargs)
        # Software GL (llvmpipe) pays for every pixel drawn: behind a picture only the two
        # letterbox bars are painted, never a full-size background under the video.
        with self.canvas:
            self._bg_color = Color(rgba=self.background)
            self._bars = (Rectangle(pos=self.pos, size=self.size), Rectangle(size=(0, 0)))
            Color(1, 1, 1, 1)
        self.canvas.add(self._picture.context)
        self.bind(pos=self._layout, size=self._layout, background=self._recolor)

    # --- scheduling -------------------------------------------------------------
    def on_active(self, _instance: object, _value: bool) -> None:
        self._reschedule()

    def on_source(self, _instance: object, _value: object) -> None:
        self._seen_count = 0
        if self.source is None:
            self.clear_picture()
        self._reschedule()

    def on_pull_hz(self, _instance: object, _value: float) -> None:
        self._reschedule()

    def on_leader(self, _instance: object, _value: object) -> None:
        self._reschedule()

    def on_mirror(self, _instance: object, value: bool) -> None:
        self._picture.mirror = value
        if self.canvas is not None:  # None while a `mirror=` keyword is applied in __init__
            self.canvas.ask_update()

    def _reschedule(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self._followed is not None:
            self._followed.unbind(on_blit=self._follow)
            self._followed = None
        if not (self.active and self.source is not None):
            return
        if self.leader is not None:
            self._followed = self.leader
            self.leader.bind(on_blit=self._follow)
            self._event = Clock.schedule_interval(self._pull_if_leader_idle, LEADER_IDLE_SECONDS)
        else:
            self._event = Clock.schedule_interval(self._pull, self._interval())

    def _follow(self, *_args: object) -> None:
        self._pull(0)

    def _pull_if_leader_idle(self, dt: float) -> None:
        leader = self._followed
        if leader is None or time.monotonic() - leader.last_blit_at > LEADER_IDLE_SECONDS:
            self._pull(dt)

    def _interval(self) -> float:
        # At the display's own tick rate (Kivy's maxfps): a fixed 1/30 s interval beats
        # against the ticks and fires only on every other one. A pull without a new
        # frame costs one integer compare: no upload, no redraw.
        return 1.0 / self.pull_hz if self.pull_hz > 0 else 0

    # --- frames -----------------------------------------------------------------
    def _pull(self, _dt: float) -> None:
        source = self.source
        if source is None:
            return
        count = source.frame_count
        if count == self._seen_count:
            return
        if self.width < 2 or self.height < 2:
            return
        self._seen_count = count
        self.pulls += 1
        frame = source.latest_frame()
        if frame is not None:
            self.show(frame)

    def show(self, frame: VideoFrame) -> None:
        """Upload one decoded frame and draw it (main thread only)."""
        if self._picture.show(frame):
            self._layout()
        self.blits += 1
        self.last_blit_at = time.monotonic()
        if not self.has_frame:
            self.has_frame = True
        self.canvas.ask_update()
        self.dispatch("on_blit")

    def on_blit(self) -> None:
        """Fired after each new frame is uploaded (a follower pulls its own then)."""

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """The size of the frame on show (textures are this size), or None."""
        return self._picture.frame_size

    @property
    def picture_rect(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Where the picture is drawn: ((x, y), (width, height)) in window coordinates."""
        rectangle = self._picture.rectangle
        return tuple(rectangle.pos), tuple(rectangle.size)  # type: ignore[return-value]

    def clear_picture(self) -> None:
        """Forget the last picture (the call ended)."""
        self._picture.clear()
        self._layout()
        self._seen_count = 0
        self.has_frame = False

    # --- layout -----------------------------------------------------------------
    def _recolor(self, *_args: object) -> None:
        self._bg_color.rgba = self.background

    def _layout(self, *_args: object) -> None:
        first, second = self._bars
        size = self._picture.frame_size
        if size is None:
            first.pos, first.size = self.pos, self.size
            second.size = (0, 0)
            return
        tw, th = size
        scale = min(self.width / tw, self.height / th) if tw and th else 0
        w, h = tw * scale, th * scale
        x, y = self.x + (self.width - w) / 2, self.y + (self.height - h) / 2
        picture = self._picture.rectangle
        picture.size = (w, h)
        picture.pos = (x, y)
        if w < self.width:  # pillarbox: bars left and right
            first.pos, first.size = self.pos, (x - self.x, self.height)
            second.pos, second.size = (x + w, self.y), (self.right - x - w, self.height)
        else:  # letterbox: bars below and above
            first.pos, first.size = self.pos, (self.width, y - self.y)
            second.pos, second.size = (self.x, y + h), (self.width, self.top - y - h)
