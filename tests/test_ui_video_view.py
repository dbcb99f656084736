"""VideoView draws decoded YUV frames through its GPU shader, only when a new one arrived.

The pictures are read back from GL (an Fbo of the widget's canvas, software GL here):
what a viewer would see, not what the code meant to draw.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from av import VideoFrame
from av.video.reformatter import VideoReformatter

from kiosk.media.frame_mailbox import FrameMailbox

# 75 % colour bars (BT.601 test card) and black, left to right.
BARS = [
    (191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0),
    (191, 0, 191), (191, 0, 0), (0, 0, 191), (16, 16, 16),
]
BOTTOM = (40, 80, 200)  # the lower half: tells top from bottom
TOLERANCE = 8  # 4:2:0 chroma and 8-bit rounding, measured at the bars' centres


def _frame(value: int, width: int = 320, height: int = 180) -> VideoFrame:
    pixels = np.full((height, width, 3), value, dtype=np.uint8)
    return VideoFrame.from_ndarray(pixels, format="rgb24").reformat(format="yuv420p")


def bars_rgb(width: int, height: int) -> np.ndarray:
    """Colour bars in the top half, one flat colour below, as rows top first."""
    image = np.empty((height, width, 3), np.uint8)
    image[height // 2:] = BOTTOM
    edges = np.linspace(0, width, len(BARS) + 1).astype(int)
    for colour, left, right in zip(BARS, edges, edges[1:], strict=False):
        image[: height // 2, left:right] = colour
    return image


def bars_frame(width: int, height: int, format_name: str = "yuv420p") -> VideoFrame:
    rgb = VideoFrame.from_ndarray(bars_rgb(width, height), format="rgb24")
    return rgb.reformat(format=format_name)


def drawn_pixels(widget: Any) -> np.ndarray:
    """The widget's canvas rendered by GL, as RGB rows top first."""
    from kivy.graphics import Fbo

    width, height = int(widget.width), int(widget.height)
    fbo = Fbo(size=(width, height))
    fbo.add(widget.canvas)
    fbo.draw()
    pixels = np.frombuffer(fbo.pixels, np.uint8).reshape(height, width, 4)
    fbo.remove(widget.canvas)
    return pixels[::-1, :, :3]  # GL rows come bottom first


def assert_bars(pixels: np.ndarray, mirrored: bool = False) -> None:
    height, width = pixels.shape[:2]
    edges = np.linspace(0, width, len(BARS) + 1)
    order = BARS[::-1] if mirrored else BARS
    for colour, left, right in zip(order, edges, edges[1:], strict=False):
        seen = pixels[height // 4, int((left + right) / 2)].astype(int)
        assert np.abs(seen - colour).max() <= TOLERANCE, (colour, tuple(seen))
    seen = pixels[height * 3 // 4, width // 2].astype(int)
    assert np.abs(seen - BOTTOM).max() <= TOLERANCE, (BOTTOM, tuple(seen))


@pytest.fixture
def view() -> Iterator[Any]:
    from kivy.core.window import Window  # noqa: F401 - the GL context textures need

    from kiosk.ui.widgets.video_view import VideoView

    widget = VideoView(size_hint=(None, None), size=(400, 300))
    yield widget
    widget.active = False


def test_blits_once_per_new_frame_and_not_when_nothing_changed(view: Any) -> None:
    mailbox = FrameMailbox()
    view.source = mailbox
    view.active = True
    assert view._event is not None  # pulled by a Clock interval while active
    view._pull(0)
    assert (view.blits, view.has_frame) == (0, False)  # no frame yet: nothing drawn

    mailbox.put(_frame(10))
    view._pull(0)
    assert view.blits == 1 and view.has_frame
    for _ in range(10):  # the display keeps ticking, no new frame: no upload, no redraw
        view._pull(0)
    assert view.blits == 1
    assert view.pulls == 1

    mailbox.put(_frame(20))
    mailbox.put(_frame(30))  # two arrive between ticks: only the newest is shown
    view._pull(0)
    assert view.blits == 2
    assert mailbox.dropped_count == 1


def test_colour_bars_come_out_of_the_shader_as_rgb(view: Any) -> None:
    view.size = (320, 180)  # one frame pixel per screen pixel
    view.show(bars_frame(320, 180))
    assert view.frame_size == (320, 180)
    assert_bars(drawn_pixels(view))


def test_padded_lines_and_odd_sizes_are_drawn_without_a_skew(view: Any) -> None:
    # 333 pixels wide: FFmpeg pads every plane's lines (336 and 176 bytes) and the chroma
    # planes are 167 wide; a wrong stride would shear the bars into diagonals.
    frame = bars_frame(333, 187)
    assert frame.planes[0].line_size > frame.planes[0].width
    assert frame.planes[1].line_size > frame.planes[1].width
    view.size = (333, 187)
    view.show(frame)
    pixels = drawn_pixels(view)
    assert_bars(pixels)
    # The right-most column is the black bar, not the padding bytes beyond it.
    assert np.abs(pixels[40, 332].astype(int) - BARS[-1]).max() <= TOLERANCE


def test_full_range_and_converted_frames_draw_the_same_colours(view: Any) -> None:
    view.size = (320, 180)
    view.show(bars_frame(320, 180, "yuvj420p"))  # MJPEG cameras: full-range 4:2:0, as is
    assert_bars(drawn_pixels(view))
    view.show(bars_frame(320, 180, "nv12"))  # converted once, by the view's reformatter
    assert_bars(drawn_pixels(view))
    reformatter = view._picture._reformatter
    assert isinstance(reformatter, VideoReformatter)
    view.show(bars_frame(320, 180, "yuyv422"))
    assert view._picture._reformatter is reformatter  # one reformatter, reused


def test_mirror_given_at_creation(view: Any) -> None:
    from kiosk.ui.widgets.video_view import VideoView

    mirrored = VideoView(size_hint=(None, None), size=(320, 180), mirror=True)
    mirrored.show(bars_frame(320, 180))
    assert_bars(drawn_pixels(mirrored), mirrored=True)


def test_self_view_is_mirrored(view: Any) -> None:
    view.size = (320, 180)
    view.mirror = True
    view.show(bars_frame(320, 180))
    assert_bars(drawn_pixels(view), mirrored=True)
    view.mirror = False  # and back, on the textures already made
    assert_bars(drawn_pixels(view))


def test_textures_are_made_per_size_not_per_frame_and_fit_the_widget(view: Any) -> None:
    mailbox = FrameMailbox()
    view.source = mailbox
    mailbox.put(_frame(10))
    view._pull(0)
    picture = view._picture
    assert picture.texture_sets_created == 2  # two sets, used in turn
    first_luma = picture.rectangle.texture
    # The frame's own size on the GPU, scaled there to fit 400x300 with the aspect kept
    # (letterbox bars above and below).
    assert first_luma.size == (320, 180)
    assert view.picture_rect == ((0, 37.5), (400, 225))
    assert [bar.size for bar in view._bars] == [(400, 37.5), (400, 37.5)]
    mailbox.put(_frame(20))
    view._pull(0)
    assert picture.rectangle.texture is not first_luma  # the other set of the pair...
    mailbox.put(_frame(30))
    view._pull(0)
    assert picture.rectangle.texture is first_luma  # ...and back
    for value in range(40, 140, 10):
        mailbox.put(_frame(value))
        view._pull(0)
    assert view.blits == 13
    assert picture.texture_sets_created == 2  # thirteen frames, no new texture

    mailbox.put(_frame(90, width=640, height=480))  # the far end changed its resolution
    view._pull(0)
    assert picture.texture_sets_created == 4
    assert view.frame_size == (640, 480)
    assert picture.rectangle.texture.size == (640, 480)
    assert view.picture_rect == ((0, 0), (400, 300))


def test_a_new_size_draws_correctly_after_the_old_one(view: Any) -> None:
    view.size = (320, 180)
    view.show(bars_frame(640, 360))
    view.show(bars_frame(160, 90))  # smaller: the GPU scales it up to the widget
    assert view.frame_size == (160, 90)
    assert_bars(drawn_pixels(view))


def test_inactive_view_does_not_pull(view: Any) -> None:
    mailbox = FrameMailbox()
    view.source = mailbox
    view.active = False
    assert view._event is None
    view.active = True
    assert view._event is not None
    view.source = None
    assert view._event is None and not view.has_frame
