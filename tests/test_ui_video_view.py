"""VideoView blits a frame only when a new one arrived, and never redraws for nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from av import VideoFrame

from kiosk.media.frame_mailbox import FrameMailbox


def _frame(value: int, width: int = 320, height: int = 180) -> VideoFrame:
    pixels = np.full((height, width, 3), value, dtype=np.uint8)
    return VideoFrame.from_ndarray(pixels, format="rgb24")


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
    for _ in range(10):  # the display keeps ticking, no new frame: no blit, no conversion
        view._pull(0)
    assert view.blits == 1
    assert view.pulls == 1

    mailbox.put(_frame(20))
    mailbox.put(_frame(30))  # two arrive between ticks: only the newest is shown
    view._pull(0)
    assert view.blits == 2


def test_texture_fits_the_widget_keeping_the_aspect_and_is_reused(view: Any) -> None:
    mailbox = FrameMailbox()
    view.source = mailbox
    mailbox.put(_frame(10))
    view._pull(0)
    texture = view._texture
    # Never enlarged on the CPU: the texture keeps the frame's size, the GPU scales it
    # to fit 400x300 with the aspect kept (letterbox bars above and below).
    assert texture is not None and texture.size == (320, 180)
    assert view._picture.size == (400, 225)
    assert view._picture.pos == (0, 37.5)
    assert [bar.size for bar in view._bars] == [(400, 37.5), (400, 37.5)]
    spare = view._spare
    mailbox.put(_frame(50))
    view._pull(0)
    assert view._texture is spare and view._spare is texture  # same size: reused in turn
    mailbox.put(_frame(70))
    view._pull(0)
    assert view._texture is texture
    view.size = (200, 200)
    mailbox.put(_frame(90))
    view._pull(0)
    assert view._texture is not texture and view._texture.size == (200, 112)


def test_inactive_view_does_not_pull(view: Any) -> None:
    mailbox = FrameMailbox()
    view.source = mailbox
    view.active = False
    assert view._event is None
    view.active = True
    assert view._event is not None
    view.source = None
    assert view._event is None and not view.has_frame
