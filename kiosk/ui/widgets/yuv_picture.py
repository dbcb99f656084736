"""A decoded video frame drawn by the GPU: its Y, U and V planes uploaded as three
luminance textures and turned into RGB by a fragment shader.

Nothing is converted to RGBA on the CPU and 1.5 bytes a pixel are uploaded
instead of 4. The planes are uploaded as they come from the decoder: a padded
line (`line_size` wider than the picture) is skipped by GL's unpack row length,
not by a copy. Textures are created only when the frame size changes, in two
sets used in turn, so an upload never waits for the (software) GPU to finish
drawing the previous frame. A frame in another layout (a camera's NV12 or YUYV,
an RGB slide) goes through one reused `VideoReformatter` to yuv420p first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kivy.graphics import BindTexture, Callback, Rectangle, RenderContext
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.graphics.texture import Texture

from kiosk.ui.widgets.yuv_colour import YuvToRgb, frame_conversion

if TYPE_CHECKING:  # PyAV loads with the media stack, after Home: not for this module's import
    from av import VideoFrame
    from av.video.reformatter import VideoReformatter

PLANAR_FORMATS = frozenset({"yuv420p", "yuvj420p"})  # drawn as they are

FRAGMENT_SHADER = """
$HEADER$
uniform sampler2D tex_u;
uniform sampler2D tex_v;
uniform vec3 yuv_offset;
uniform vec3 to_red;
uniform vec3 to_green;
uniform vec3 to_blue;

void main(void) {
    vec3 yuv = vec3(texture2D(texture0, tex_coord0).r,
                    texture2D(tex_u, tex_coord0).r,
                    texture2D(tex_v, tex_coord0).r) - yuv_offset;
    gl_FragColor = frag_color * vec4(dot(to_red, yuv), dot(to_green, yuv),
                                     dot(to_blue, yuv), 1.0);
}
"""


class ShaderError(RuntimeError):
    """The GL driver refused the YUV shader."""


def _blending_off(_instruction: Callback) -> None:
    glDisable(GL_BLEND)


def _blending_on(_instruction: Callback) -> None:
    glEnable(GL_BLEND)


@dataclass
class PlaneTextures:
    """One Y, U, V texture set for frames of one size."""

    luma: Texture
    blue: Texture
    red: Texture

    @classmethod
    def create(cls, width: int, height: int, chroma_filter: str) -> PlaneTextures:
        """Textures for a `width`x`height` 4:2:0 picture (chroma half size, rounded up)."""
        chroma = ((width + 1) // 2, (height + 1) // 2)
        luma = Texture.create(size=(width, height), colorfmt="luminance", mipmap=False)
        planes = cls(
            luma,
            Texture.create(size=chroma, colorfmt="luminance", mipmap=False),
            Texture.create(size=chroma, colorfmt="luminance", mipmap=False),
        )
        for texture in (planes.blue, planes.red):
            texture.min_filter = texture.mag_filter = chroma_filter
        luma.flip_vertical()  # frames come top row first; the other planes share its coordinates
        return planes

    def upload(self, frame: VideoFrame) -> None:
        """Copy the frame's three planes in, skipping each line's padding in GL."""
        for texture, plane in zip((self.luma, self.blue, self.red), frame.planes, strict=True):
            texture.blit_buffer(
                memoryview(plane), colorfmt="luminance", bufferfmt="ubyte",
                mipmap_generation=False, rowlength=plane.line_size,
            )


class YuvPicture:
    """The GL side of a video view: add `context` to a canvas, `show(frame)`, lay out
    `rectangle`. Main thread only (Kivy graphics)."""

    def __init__(self, mirror: bool = False, chroma_filter: str = "linear") -> None:
        self.context = RenderContext(
            use_parent_projection=True, use_parent_modelview=True,
            use_parent_frag_modelview=True,
        )
        self.context.shader.fs = FRAGMENT_SHADER
        if not self.context.shader.success:
            raise ShaderError("the GL driver could not compile the video shader")
        self.context["tex_u"] = 1
        self.context["tex_v"] = 2
        self._mirror = mirror
        self._chroma_filter = chroma_filter
        self._sets: list[PlaneTextures] = []
        self._next = 0
        self._size: tuple[int, int] | None = None
        self._conversion_key: tuple[str, int, int] | None = None
        self._reformatter: VideoReformatter | None = None
        self.texture_sets_created = 0  # tests check that frames of one size reuse them
        with self.context:
            # Video is opaque: drawing it without blending skips a read of every pixel
            # under it (about 1.5 ms a frame at 800x450 in software GL).
            Callback(_blending_off)
            self._bind_blue = BindTexture(index=1)
            self._bind_red = BindTexture(index=2)
            self.rectangle = Rectangle(size=(0, 0))
            Callback(_blending_on)

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """The size of the frame on show, or None."""
        return self._size

    @property
    def mirror(self) -> bool:
        """Shown left-right swapped (a self-view)."""
        return self._mirror

    @mirror.setter
    def mirror(self, value: bool) -> None:
        if value == self._mirror:
            return
        self._mirror = value
        for planes in self._sets:
            planes.luma.flip_horizontal()
        if self._sets:
            self.rectangle.tex_coords = self.rectangle.texture.tex_coords

    def show(self, frame: VideoFrame) -> bool:
        """Upload `frame` and draw it from now on; True if its size differs from the last one."""
        if frame.format.name not in PLANAR_FORMATS:
            if self._reformatter is None:
                from av.video.reformatter import VideoReformatter

                self._reformatter = VideoReformatter()
            frame = self._reformatter.reformat(frame, format="yuv420p")
        size = (frame.width, frame.height)
        resized = size != self._size
        if resized:
            self._sets = [
                PlaneTextures.create(*size, chroma_filter=self._chroma_filter) for _ in range(2)
            ]
            self.texture_sets_created += 2
            if self._mirror:
                for planes in self._sets:
                    planes.luma.flip_horizontal()
            self._size = size
        planes = self._sets[self._next]
        self._next = (self._next + 1) % len(self._sets)
        planes.upload(frame)
        self._set_conversion((frame.format.name, frame.colorspace, frame.color_range))
        self._bind_blue.texture = planes.blue
        self._bind_red.texture = planes.red
        self.rectangle.texture = planes.luma
        return resized

    def clear(self) -> None:
        """Forget the picture and its textures."""
        self._sets = []
        self._size = None
        self._bind_blue.texture = None
        self._bind_red.texture = None
        self.rectangle.texture = None
        self.rectangle.size = (0, 0)

    def _set_conversion(self, key: tuple[str, int, int]) -> None:
        if key == self._conversion_key:
            return  # the uniforms are set only when the frames' colour tags change
        self._conversion_key = key
        conversion: YuvToRgb = frame_conversion(*key)
        self.context["yuv_offset"] = conversion.offset
        self.context["to_red"] = conversion.red
        self.context["to_green"] = conversion.green
        self.context["to_blue"] = conversion.blue
