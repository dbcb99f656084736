"""The simulated presenter's slide deck: numbered slides with a title and a few lines of text.

Each slide is drawn with Pillow once, the first time it is shown, and kept in
every form the node serves it in: yuv420p planes at 1280x720 for the slides
m-line, the same at 640x360 for a call that asked for `present: main`, and the
two JPEGs (`presentation_high.jpeg` 1280x720, `presentation.jpeg` 640x360).
Sending a frame then only wraps cached planes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1280, 720
MAIN_SIZE = (640, 360)
LOW_JPEG_SIZE = (640, 360)
JPEG_QUALITY = 85
BACKGROUND = (245, 247, 250)
ACCENT = (47, 107, 255)
TEXT = (20, 28, 40)
MUTED = (90, 100, 118)

DEFAULT_SLIDES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Quarterly review", ("Where we are", "What we learned", "What comes next")),
    ("Customers", ("412 rooms use the kiosk every day", "Joining takes one tap",
                   "Support calls down by a third")),
    ("Roadmap", ("Presentations on every room screen", "Live captions",
                 "Layouts chosen by the host")),
    ("Questions", ("Thank you", "Slides are shared after the meeting")),
)


@dataclass(frozen=True)
class RenderedSlide:
    """One slide in every form the node sends it."""

    number: int
    planes: np.ndarray  # yuv420p at WIDTH x HEIGHT (as `VideoFrame.to_ndarray` gives it)
    main_planes: np.ndarray  # yuv420p at MAIN_SIZE
    jpeg_high: bytes
    jpeg_low: bytes

    def frame(self, main: bool = False) -> av.VideoFrame:
        """A new VideoFrame of the slide (full size, or the main video's size)."""
        return av.VideoFrame.from_ndarray(self.main_planes if main else self.planes,
                                          format="yuv420p")


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def draw_slide(number: int, total: int, title: str, lines: tuple[str, ...],
               presenter: str) -> Image.Image:
    """The slide as an RGB picture."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    draw.text((96, 110), title, fill=TEXT, font=_font(72))
    draw.rectangle((96, 210, 296, 218), fill=ACCENT)
    top = 270
    for line in lines:
        draw.ellipse((100, top + 18, 116, top + 34), fill=ACCENT)
        draw.text((140, top), line, fill=TEXT, font=_font(44))
        top += 84
    footer = f"{presenter} · slide {number} of {total}"
    draw.text((96, HEIGHT - 80), footer, fill=MUTED, font=_font(30))
    return image


def _jpeg(image: Image.Image, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    picture = image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)
    picture.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _planes(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    picture = image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)
    frame = av.VideoFrame.from_image(picture).reformat(format="yuv420p")
    return frame.to_ndarray()


class SlideDeck:
    """A presenter's slides, rendered lazily and once each."""

    def __init__(self, presenter: str,
                 slides: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_SLIDES) -> None:
        self._presenter = presenter
        self._slides = slides
        self._rendered: dict[int, RenderedSlide] = {}
        self.renders = 0  # how many slides were drawn (tests check: once per slide)

    def __len__(self) -> int:
        return len(self._slides)

    def slide(self, index: int) -> RenderedSlide:
        """Slide `index` (0-based, wrapping round), drawn the first time it is asked for."""
        index %= len(self._slides)
        rendered = self._rendered.get(index)
        if rendered is None:
            title, lines = self._slides[index]
            image = draw_slide(index + 1, len(self._slides), title, lines, self._presenter)
            rendered = RenderedSlide(
                number=index + 1,
                planes=_planes(image, (WIDTH, HEIGHT)),
                main_planes=_planes(image, MAIN_SIZE),
                jpeg_high=_jpeg(image, (WIDTH, HEIGHT)),
                jpeg_low=_jpeg(image, LOW_JPEG_SIZE),
            )
            self._rendered[index] = rendered
            self.renders += 1
        return rendered
