"""The in-call screen while someone presents, with captions and the host's layout picker:
the kiosk app against the simulator (real HTTPS, real WebRTC, real widgets and taps)."""

from __future__ import annotations

import asyncio
import time

import pytest
from ui_harness import kiosk_settings, running_kiosk, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread

pytestmark = pytest.mark.timeout(300)
PRESENTER = "Anna Svensson"


async def test_slides_fill_the_screen_people_move_to_the_pip_and_swap(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings)) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])  # Open meeting: host
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        remote, pip = in_call.ids.remote, in_call.ids.pip
        media = kiosk.session.media_call
        await wait_until(lambda: remote.has_frame, "the people video")
        assert remote.source is media.remote_video and not in_call.pip_shown

        await asyncio.to_thread(simulator.control.present, "meet.open", PRESENTER)
        await wait_until(lambda: in_call.presenting, "the presentation", timeout=30)
        slides = kiosk.session.presentation_video
        assert slides is media.presentation_video
        assert remote.source is slides and pip.source is media.remote_video
        assert in_call.banner_shown and in_call.banner_text == f"{PRESENTER} is presenting"
        # Generous: on a loaded machine the far end encodes few frames a second.
        await wait_until(lambda: remote.blits >= 3 and pip.blits >= 2, "slides and PiP shown",
                         timeout=60)
        # Letterboxed: the 16:9 slides keep their aspect in the window.
        picture_w, picture_h = remote._picture.rectangle.size
        assert abs(picture_w / picture_h - 16 / 9) < 0.02
        assert in_call.speaker_text == f"{PRESENTER} is speaking"

        # Only new frames are uploaded: blits never outrun the frames that arrived.
        blits, arrived = remote.blits, slides.frame_count
        await asyncio.sleep(1.0)
        assert remote.blits - blits <= slides.frame_count - arrived + 1

        tap(pip)  # swap: people full screen, slides small
        await wait_until(lambda: in_call.swapped, "the swap")
        assert remote.source is media.remote_video and pip.source is slides
        tap(pip)
        await wait_until(lambda: not in_call.swapped, "the swap back")
        assert remote.source is slides

        await asyncio.to_thread(simulator.control.stop_presenting, "meet.open")
        await wait_until(lambda: not in_call.presenting, "back to the people")
        assert remote.source is media.remote_video and not in_call.pip_shown
        assert pip.source is None
        await wait_until(lambda: not in_call.banner_shown, "the banner gone")


async def test_jpeg_slides_are_shown_when_the_node_does_not_answer_the_slides_m_line(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    await asyncio.to_thread(simulator.control.presentation_options, "meet.open", False)
    async with running_kiosk(simulator, kiosk_settings(sim_settings)) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        await asyncio.to_thread(simulator.control.present, "meet.open", PRESENTER)
        await wait_until(lambda: in_call.presenting, "the presentation")
        remote = in_call.ids.remote
        await wait_until(lambda: remote.has_frame and remote.blits >= 1, "the JPEG slide")
        shown = remote.blits
        await asyncio.sleep(1.0)
        # One picture per slide change (every 4 s): no re-upload of the same JPEG.
        assert remote.blits <= shown + 1


async def in_place(widget: object, timeout: float = 10.0) -> None:
    """Until `widget` has stopped moving on screen (three polls 0.1 s apart agree)."""
    deadline = time.monotonic() + timeout
    seen: list[tuple[float, ...]] = []
    while time.monotonic() < deadline:
        x, y = widget.to_window(widget.x, widget.y)  # type: ignore[attr-defined]
        seen = [*seen[-2:], (x, y, widget.width, widget.height)]  # type: ignore[attr-defined]
        if len(seen) == 3 and len(set(seen)) == 1 and widget.width > 0:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the widget kept moving")


async def test_host_picks_a_layout_and_captions_show_at_the_bottom(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        await wait_until(lambda: in_call.layouts_available, "the Layout button")
        tap(in_call.ids.layout)
        picker = in_call.ids.layout_picker
        await wait_until(lambda: in_call.layouts_open and len(picker.thumbs()) >= 4,
                         "the thumbnails")
        assert all(thumb.texture is not None for thumb in picker.thumbs())
        target = next(t for t in picker.thumbs() if t.layout == "1:7")
        await in_place(target)  # the panel slides in: a tap before it stops would miss
        tap(target)

        def layout_at_node() -> bool:
            return simulator.control.room("meet.open")["layout"] == "1:7"

        await wait_until(lambda: target.selected, "the layout event selects it")
        assert await asyncio.to_thread(layout_at_node)

        await wait_until(lambda: in_call.captions_available, "the CC button")
        if not in_call.bar_visible:
            in_call.show_bar()
        tap(in_call.ids.captions)
        await wait_until(lambda: in_call.captions_shown, "captions on")
        overlay = in_call.ids.captions_overlay
        assert overlay.current == "Captions will appear here"
        await asyncio.to_thread(simulator.control.play_captions, "meet.open",
                                ["Welcome to the review", "Next slide please"], 0.05)
        await wait_until(lambda: overlay.current == "Next slide please", "the final caption")
        assert overlay.previous == "Welcome to the review"
        assert overlay.y < in_call.height / 3  # at the bottom of the screen


async def test_a_guest_room_has_no_layout_button(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    await asyncio.to_thread(simulator.control.host_joins, "meet.team")
    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[1])  # Team meeting
        pin = await kiosk.wait_screen(ScreenName.PIN)
        tap(pin.ids.guest)
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        await asyncio.sleep(1.0)
        assert kiosk.session.snapshot.role == "GUEST"
        assert not in_call.layouts_available and not in_call.ids.layout.shown
        assert in_call.ids.layout.width == 0


async def test_thirty_presentations_leak_no_textures_tasks_or_clock_events(
    simulator: SimulatorThread, sim_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import weakref

    from kivy.clock import Clock
    from kivy.graphics.texture import Texture

    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName
    from kiosk.ui.widgets.video_view import VideoView
    from kiosk.ui.widgets.yuv_picture import PlaneTextures

    # Every picture the presentation path draws (H.264 or JPEG slides, people video, in
    # either view after a swap) is uploaded into textures made by `PlaneTextures.create`:
    # watch exactly those, not the whole heap, whose count also moves with every label
    # re-rendered, every cache expiry and every earlier test's leftovers being collected.
    made: list[weakref.ref[Texture]] = []
    create = PlaneTextures.create.__func__  # type: ignore[attr-defined]

    def watched_create(cls: type[PlaneTextures], *args: object, **kwargs: object) -> PlaneTextures:
        planes = create(cls, *args, **kwargs)
        made.extend(weakref.ref(t) for t in (planes.luma, planes.blue, planes.red))
        return planes

    def still_used(view: VideoView) -> list[Texture]:
        """The textures `view` may still draw: its current sets, and what its RenderContext
        last bound to each unit (Kivy keeps those until the context next draws)."""
        picture = view._picture
        used = [t for planes in picture._sets for t in (planes.luma, planes.blue, planes.red)]
        for state in gc.get_referents(picture.context):
            if isinstance(state, dict):
                used += [t for t in state.values() if isinstance(t, Texture)]
        return used

    def leaked_video_textures(views: tuple[VideoView, ...]) -> list[Texture]:
        gc.collect()
        used = {id(t) for view in views for t in still_used(view)}
        alive = [t for t in (ref() for ref in made) if t is not None]
        return [t for t in alive if id(t) not in used]

    async with running_kiosk(simulator, kiosk_settings(sim_settings)) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        remote, pip = in_call.ids.remote, in_call.ids.pip

        cycles = 0

        async def one_cycle() -> None:
            nonlocal cycles
            cycles += 1
            shown = remote.blits
            await asyncio.to_thread(simulator.control.present, "meet.open", PRESENTER)
            try:
                await wait_until(lambda: in_call.presenting and remote.blits > shown
                                 and pip.has_frame, "slides shown", timeout=40)
            except AssertionError:
                view = kiosk.session.snapshot.view.presentation
                raise AssertionError(
                    f"presenting {in_call.presenting} {view}, blits {remote.blits - shown}, "
                    f"pip {pip.has_frame} {pip.source} {pip.active}, remote {remote.source} "
                    f"{remote.active} count {remote.source.frame_count} seen {remote._seen_count} "
                    f"pulls {remote.pulls} size {remote.size} "
                    f"cycle {cycles}") from None
            tap(pip)  # a swap each time: both views change size and source
            await wait_until(lambda: in_call.swapped, "swapped")
            await asyncio.to_thread(simulator.control.stop_presenting, "meet.open")
            await wait_until(lambda: not in_call.presenting and remote.has_frame, "people back")

        await one_cycle()
        await asyncio.sleep(0.3)
        tasks, events = len(asyncio.all_tasks()), len(Clock.get_events())
        monkeypatch.setattr(PlaneTextures, "create", classmethod(watched_create))
        for _ in range(29):
            await one_cycle()
        await asyncio.sleep(0.3)
        # Each cycle changes both views' frame sizes: new texture sets every time.
        assert len(made) >= 29 * 2 * 3, len(made)
        # The PiP is off the widget tree while hidden: named, not only walked.
        views = {remote, pip, *(w for w in in_call.walk() if isinstance(w, VideoView))}
        leaked = leaked_video_textures(tuple(views))
        assert leaked == [], f"{len(leaked)} of {len(made)} video textures outlived their view"
        assert len(asyncio.all_tasks()) <= tasks + 2
        assert len(Clock.get_events()) <= events + 2
        assert len(kiosk.session.media_call.peer_connection.getTransceivers()) == 3
