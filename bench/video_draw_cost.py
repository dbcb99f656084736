"""Video draw cost: CPU per frame to put decoded 720p video on an 800x480 screen.

Draws the same decoded frames (FFmpeg's `testsrc2`, yuv420p, as a VP8/H.264
decoder gives them) two ways, each into an offscreen framebuffer of the
window's size, waiting for GL to finish every frame (software GL here: the
drawing is CPU time):

- `gpu_yuv`: the kiosk's `VideoView` (Y, U, V planes uploaded as they are,
  converted and scaled by its fragment shader), full screen, plus the mirrored
  self-view in its corner;
- `cpu_rgba`: what the view did before: each frame converted and scaled to RGBA
  on the CPU (`VideoFrame.reformat`), uploaded as RGBA and drawn as a plain
  texture, for the same two pictures.

Runs are interleaved (`--runs`, default 3). CPU is the process's user+system
time (llvmpipe's threads included). Prints one JSON object:

    .venv/bin/python bench/video_draw_cost.py [--frames 90] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kiosk.ui.device.kivy_setup import prepare_environment  # noqa: E402

prepare_environment()  # before anything imports kivy

import av.filter  # noqa: E402
from av import VideoFrame  # noqa: E402

SCREEN = (800, 480)
VIDEO = (800, 450)  # 16:9 in the 800x480 screen
SELF_VIEW = (176, 99)
FRAME_SIZE = (1280, 720)


def frames(count: int) -> list[VideoFrame]:
    """`count` decoded-looking 720p frames (yuv420p)."""
    graph = av.filter.Graph()
    source = graph.add("testsrc2", f"size={FRAME_SIZE[0]}x{FRAME_SIZE[1]}:rate=30")
    convert = graph.add("format", "pix_fmts=yuv420p")
    sink = graph.add("buffersink")
    source.link_to(convert)
    convert.link_to(sink)
    graph.configure()
    return [graph.vpull() for _ in range(count)]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Scene:
    """An offscreen framebuffer of the screen's size and a way to draw one frame into it."""

    def __init__(self, draw: Callable[[VideoFrame], None], canvas: Any) -> None:
        from kivy.graphics import Fbo

        self.fbo = Fbo(size=SCREEN)
        self.fbo.add(canvas)
        self._draw = draw

    def show(self, frame: VideoFrame) -> None:
        from kivy.graphics.opengl import glFinish

        self._draw(frame)
        self.fbo.ask_update()
        self.fbo.draw()
        glFinish()


def gpu_yuv_scene() -> Scene:
    from kivy.graphics import Canvas

    from kiosk.ui.widgets.video_view import VideoView

    remote = VideoView(size_hint=(None, None), size=VIDEO, pos=(0, 15))
    own = VideoView(size_hint=(None, None), size=SELF_VIEW, pos=(600, 360), mirror=True)
    canvas = Canvas()
    canvas.add(remote.canvas)
    canvas.add(own.canvas)

    def draw(frame: VideoFrame) -> None:
        remote.show(frame)
        own.show(frame)

    return Scene(draw, canvas)


def cpu_rgba_scene() -> Scene:
    from kivy.graphics import Callback, Canvas, Rectangle
    from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
    from kivy.graphics.texture import Texture

    pictures = []
    canvas = Canvas()
    for size, pos in ((VIDEO, (0, 15)), (SELF_VIEW, (600, 360))):
        texture = Texture.create(size=size, colorfmt="rgba")
        texture.flip_vertical()
        pictures.append((texture, size))
        with canvas:
            Callback(lambda _instruction: glDisable(GL_BLEND))
            Rectangle(texture=texture, size=size, pos=pos)
            Callback(lambda _instruction: glEnable(GL_BLEND))

    def draw(frame: VideoFrame) -> None:
        for texture, (width, height) in pictures:
            rgba = frame.reformat(width=width, height=height, format="rgba")
            texture.blit_buffer(bytes(rgba.planes[0]), colorfmt="rgba", bufferfmt="ubyte")

    return Scene(draw, canvas)


def run_once(scene: Scene, pictures: list[VideoFrame]) -> float:
    for frame in pictures[:5]:  # shaders compiled, textures made
        scene.show(frame)
    started = cpu_seconds()
    for frame in pictures:
        scene.show(frame)
    return 1000 * (cpu_seconds() - started) / len(pictures)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=90)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from kivy.core.window import Window

    from kiosk.ui.device.gl_renderer import renderer_name

    Window.size = SCREEN
    pictures = frames(args.frames)
    scenes = {"gpu_yuv": gpu_yuv_scene(), "cpu_rgba": cpu_rgba_scene()}
    load_before = os.getloadavg()[0]
    measured: dict[str, list[float]] = {name: [] for name in scenes}
    for _ in range(args.runs):
        for name, scene in scenes.items():  # interleaved
            measured[name].append(run_once(scene, pictures))
    result: dict[str, Any] = {
        "benchmark": "video_draw_cost",
        "renderer": renderer_name(),
        "frame": "x".join(map(str, FRAME_SIZE)),
        "screen": "x".join(map(str, SCREEN)),
        "frames": args.frames,
        "runs": args.runs,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    for name, values in measured.items():
        result[f"{name}_cpu_ms_per_frame"] = {
            "min": round(min(values), 2), "median": round(statistics.median(values), 2),
            "max": round(max(values), 2),
        }
    result["upload_bytes_per_frame"] = {
        "gpu_yuv": 2 * FRAME_SIZE[0] * FRAME_SIZE[1] * 3 // 2,  # remote and self-view planes
        "cpu_rgba": 4 * (VIDEO[0] * VIDEO[1] + SELF_VIEW[0] * SELF_VIEW[1]),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
