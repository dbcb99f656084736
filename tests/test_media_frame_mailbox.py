"""The one-slot frame mailbox with real decoded-frame objects (av.VideoFrame)."""

from __future__ import annotations

import numpy as np
import pytest
from av import VideoFrame

from kiosk.media.frame_mailbox import FrameMailbox, fit_size


def solid_frame(width: int, height: int, rgb: tuple[int, int, int]) -> VideoFrame:
    """A yuv420p frame of one colour, as a decoder would deliver it."""
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[:] = rgb
    return VideoFrame.from_ndarray(pixels, format="rgb24").reformat(format="yuv420p")


def test_empty_mailbox_has_no_frame() -> None:
    mailbox = FrameMailbox()
    assert mailbox.frame_count == 0
    assert mailbox.latest_rgba(320, 180) is None
    assert mailbox.first_frame_at is None


def test_holds_only_the_newest_frame_and_counts_drops_under_a_slow_consumer() -> None:
    mailbox = FrameMailbox()
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    for colour in colours:
        mailbox.put(solid_frame(64, 36, colour))
    # Three frames arrived, nobody pulled: two were dropped, one is held.
    assert mailbox.frame_count == 3
    assert mailbox.dropped_count == 2
    held = mailbox.latest_rgba(64, 36)
    assert held is not None and held.number == 3
    pixel = np.frombuffer(held.pixels, np.uint8)[:4]
    assert pixel[2] > 200 and pixel[0] < 40 and pixel[1] < 40  # blue: the newest
    assert pixel[3] == 255

    # A consumer that keeps up drops nothing.
    mailbox.put(solid_frame(64, 36, (255, 255, 255)))
    assert mailbox.latest_rgba(64, 36) is not None
    mailbox.put(solid_frame(64, 36, (0, 0, 0)))
    assert mailbox.dropped_count == 2


def test_converts_once_per_frame_and_size() -> None:
    mailbox = FrameMailbox()
    mailbox.put(solid_frame(640, 360, (10, 200, 30)))
    first = mailbox.latest_rgba(320, 320)
    again = mailbox.latest_rgba(320, 320)
    assert first is again  # cached: a repeated pull costs nothing
    other_size = mailbox.latest_rgba(160, 90)
    assert other_size is not None and other_size is not first
    mailbox.put(solid_frame(640, 360, (10, 200, 30)))
    newer = mailbox.latest_rgba(160, 90)
    assert newer is not None and newer.number == 2


def test_scales_to_fit_keeping_aspect_with_exact_buffer_size() -> None:
    mailbox = FrameMailbox()
    mailbox.put(solid_frame(640, 360, (200, 100, 50)))
    rgba = mailbox.latest_rgba(333, 333)  # odd sizes make the converter pad its rows
    assert rgba is not None
    assert (rgba.width, rgba.height) == (333, 187)
    assert len(rgba.pixels) == rgba.width * rgba.height * 4
    image = np.frombuffer(rgba.pixels, np.uint8).reshape(rgba.height, rgba.width, 4)
    assert abs(int(image[100, 200, 0]) - 200) < 12
    assert abs(int(image[100, 200, 1]) - 100) < 12
    assert abs(int(image[-1, -1, 2]) - 50) < 12


def test_clear_forgets_the_frame_until_the_next_one() -> None:
    mailbox = FrameMailbox()
    mailbox.put(solid_frame(64, 36, (255, 0, 0)))
    mailbox.clear()
    assert mailbox.latest_rgba(64, 36) is None
    mailbox.put(solid_frame(64, 36, (255, 0, 0)))
    assert mailbox.latest_rgba(64, 36) is not None


@pytest.mark.parametrize(
    ("source", "box", "expected"),
    [((640, 360), (1280, 720), (1280, 720)), ((640, 480), (800, 480), (640, 480)),
     ((1280, 720), (200, 400), (200, 112)), ((4, 4), (1, 1), (1, 1))],
)
def test_fit_size(source: tuple[int, int], box: tuple[int, int], expected: tuple[int, int]) -> None:
    assert fit_size(*source, *box) == expected


def test_rejects_an_empty_display_size() -> None:
    mailbox = FrameMailbox()
    mailbox.put(solid_frame(64, 36, (0, 0, 0)))
    with pytest.raises(ValueError):
        mailbox.latest_rgba(0, 10)
