"""Shows a media `VideoOutput`: pulls the newest frame on a Clock interval, blits only new ones.

Cost rules (the whole app must stay under 70 % of a core in a call):
- the mailbox is polled once per display tick (or `pull_hz`) and only while `active`;
- a frame is fetched only when the mailbox's `frame_count` moved, and blitted only
  when its `number` differs from the last one shown: no redraw when nothing changed;
- textures are created only when the frame size changes (two, used in turn so an
  upload never waits for the previous frame's drawing), flipped once (the frames
  are top row first) and mirrored once for a self-view.
"""

from __future__ import annotations

import time

from kivy.app import App
from kivy.clock import Clock, ClockEvent
from kivy.graphics import Callback, Color, Rectangle
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, ObjectProperty
from kivy.uix.widget import Widget

from kiosk.media.interface import RgbaFrame, VideoOutput

LEADER_IDLE_SECONDS = 0.2


def _blending_off(_instruction: Callback) -> None:
    glDisable(GL_BLEND)


def _blending_on(_instruction: Callback) -> None:
    glEnable(GL_BLEND)


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
        self._texture: Texture | None = None  # the texture on screen
        self._spare: Texture | None = None  # the one the next frame is uploaded into
        self._laid_out_for: tuple[int, int] | None = None
        self._seen_count = 0
        self._shown_number = -1
        self.blits = 0  # frames actually drawn (benchmarks and tests read it)
        self.last_blit_at = 0.0
        self._followed: VideoView | None = None
        self.pulls = 0  # times a new frame was asked of the mailbox
        # The letterbox bars in the room's theme (a view made without the app stays black).
        theme = getattr(App.get_running_app(), "theme", None)
        if theme is not None:
            kwargs.setdefault("background", theme.palette.video_background)
        super().__init__(**kwargs)
        # Software GL (llvmpipe) pays for every pixel drawn: behind a picture only the two
        # letterbox bars are painted, never a full-size background under the video.
        with self.canvas:
            self._bg_color = Color(rgba=self.background)
            self._bars = (Rectangle(pos=self.pos, size=self.size), Rectangle(size=(0, 0)))
            Color(1, 1, 1, 1)
            # Video is opaque: drawing it without blending skips a read of every pixel
            # under it (about 1.5 ms a frame at 800x450 in software GL).
            Callback(_blending_off)
            self._picture = Rectangle(pos=self.pos, size=(0, 0))
            Callback(_blending_on)
        self.bind(pos=self._layout, size=self._layout, background=self._recolor)

    # --- scheduling -------------------------------------------------------------
    def on_active(self, _instance: object, _value: bool) -> None:
        self._reschedule()

    def on_source(self, _instance: object, _value: object) -> None:
        self._seen_count = 0
        self._shown_number = -1
        if self.source is None:
            self.clear_picture()
        self._reschedule()

    def on_pull_hz(self, _instance: object, _value: float) -> None:
        self._reschedule()

    def on_leader(self, _instance: object, _value: object) -> None:
        self._reschedule()

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
        # frame costs one integer compare: no conversion, no blit, no redraw.
        return 1.0 / self.pull_hz if self.pull_hz > 0 else 0

    # --- frames -----------------------------------------------------------------
    def _pull(self, _dt: float) -> None:
        source = self.source
        if source is None:
            return
        count = source.frame_count
        if count == self._seen_count:
            return
        width, height = int(self.width), int(self.height)
        if width < 2 or height < 2:
            return
        self._seen_count = count
        self.pulls += 1
        width, height = self._request_size(source, width, height)
        frame = source.latest_rgba(width, height)
        if frame is not None and frame.number != self._shown_number:
            self.show(frame)

    @staticmethod
    def _request_size(source: VideoOutput, width: int, height: int) -> tuple[int, int]:
        """Never ask the mailbox to enlarge a picture: the GPU scales it up for free, while
        scaling in the mailbox costs CPU per frame (640x360 -> 800x450 is ~10x the work).
        `latest_frame` (the decoded frame) is optional: without it the widget size is used."""
        latest = getattr(source, "latest_frame", None)
        native = latest() if callable(latest) else None
        if native is None:
            return width, height
        return min(width, native.width), min(height, native.height)

    def _new_texture(self, size: tuple[int, int]) -> Texture:
        texture = Texture.create(size=size, colorfmt="rgba")
        texture.flip_vertical()  # frames come top row first
        if self.mirror:
            texture.flip_horizontal()
        return texture

    def show(self, frame: RgbaFrame) -> None:
        """Blit one frame (main thread only).

        Two textures take turns: uploading into the one the last frame was NOT drawn
        from never waits for the (software) GPU to finish drawing that frame.
        """
        size = (frame.width, frame.height)
        if self._texture is None or self._texture.size != size:
            self._spare = self._new_texture(size)
            self._texture = self._new_texture(size)
        texture, self._spare = self._spare, self._texture
        texture.blit_buffer(frame.pixels, colorfmt="rgba", bufferfmt="ubyte")
        self._texture = texture
        self._picture.texture = texture
        if self._picture.size == (0, 0) or self._laid_out_for != size:
            self._laid_out_for = size
            self._layout()
        self._shown_number = frame.number
        self.blits += 1
        self.last_blit_at = time.monotonic()
        if not self.has_frame:
            self.has_frame = True
        self.canvas.ask_update()
        self.dispatch("on_blit")

    def on_blit(self) -> None:
        """Fired after each new frame is blitted (a follower pulls its own then)."""

    def clear_picture(self) -> None:
        """Forget the last picture (the call ended)."""
        self._texture = self._spare = None
        self._laid_out_for = None
        self._picture.texture = None
        self._picture.size = (0, 0)
        self._layout()
        self._seen_count = 0
        self._shown_number = -1
        self.has_frame = False

    # --- layout -----------------------------------------------------------------
    def _recolor(self, *_args: object) -> None:
        self._bg_color.rgba = self.background

    def _layout(self, *_args: object) -> None:
        first, second = self._bars
        texture = self._texture
        if texture is None:
            first.pos, first.size = self.pos, self.size
            second.size = (0, 0)
            return
        tw, th = texture.size
        scale = min(self.width / tw, self.height / th) if tw and th else 0
        w, h = tw * scale, th * scale
        x, y = self.x + (self.width - w) / 2, self.y + (self.height - h) / 2
        self._picture.size = (w, h)
        self._picture.pos = (x, y)
        if w < self.width:  # pillarbox: bars left and right
            first.pos, first.size = self.pos, (x - self.x, self.height)
            second.pos, second.size = (x + w, self.y), (self.right - x - w, self.height)
        else:  # letterbox: bars below and above
            first.pos, first.size = self.pos, (self.width, y - self.y)
            second.pos, second.size = (self.x, y + h), (self.width, self.top - y - h)
