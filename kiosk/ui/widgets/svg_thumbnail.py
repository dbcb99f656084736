"""The node's layout thumbnails (SVG text) drawn into Kivy textures with resvg.

Rendered once per layout and size, on the main thread (a thumbnail takes about a
millisecond); a thumbnail resvg cannot draw is left out, never drawn by hand.
"""

from __future__ import annotations

import hashlib
import io
import logging

import resvg_py
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture

log = logging.getLogger(__name__)


class SvgThumbnails:
    """A cache of rendered thumbnails: (SVG text, width) -> Texture."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], Texture | None] = {}

    def texture(self, svg: str, width: int) -> Texture | None:
        """The SVG drawn `width` pixels wide (aspect kept), or None if it cannot be drawn."""
        key = (hashlib.sha1(svg.encode(), usedforsecurity=False).hexdigest(), max(8, width))
        if key not in self._cache:
            self._cache[key] = render_svg(svg, key[1])
        return self._cache[key]


def render_svg(svg: str, width: int) -> Texture | None:
    """One SVG as a texture `width` pixels wide, or None."""
    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=width,
                                          skip_system_fonts=True))
        return CoreImage(io.BytesIO(png), ext="png").texture
    except Exception as exc:  # resvg raises ValueError; a broken PNG other errors
        log.info("A layout thumbnail could not be drawn: %s", type(exc).__name__)
        return None
