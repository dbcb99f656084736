"""While the control bar is hidden, nothing but small panels is drawn over the far end's video.

Software GL pays for every blended pixel: a full-screen overlay, even a transparent
one, would cost milliseconds on every video frame.
"""

from __future__ import annotations

from typing import Any

from ui_harness import kiosk_settings, running_kiosk, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread

SMALL_SHARE = 0.1  # of the screen's area: the info panel and the self-view are below this


def drawn_widgets(widget: Any) -> list[Any]:
    """`widget` and every widget under it that Kivy draws (attached, not transparent)."""
    if widget.opacity <= 0:
        return []
    found = [widget]
    for child in widget.children:
        found.extend(drawn_widgets(child))
    return found


async def test_only_small_panels_cover_the_video_while_the_bar_is_hidden(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings)) as kiosk:
        in_call_screen = kiosk.screen(ScreenName.IN_CALL)
        in_call_screen.bar_hide_seconds = 0.5
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        remote = in_call.ids.remote
        await wait_until(lambda: remote.has_frame, "the far end's video", timeout=20)
        bar = in_call.ids.bar
        await wait_until(lambda: bar.parent is None, "the hidden bar to leave the tree", timeout=5)

        layer = remote.parent
        screen_area = in_call.width * in_call.height
        above_video = layer.children[: layer.children.index(remote)]  # Kivy: top-most first
        covering = [
            (type(widget).__name__, widget.size)
            for overlay in above_video
            for widget in drawn_widgets(overlay)
            if widget.width * widget.height > SMALL_SHARE * screen_area
        ]
        assert covering == []
        assert remote.width * remote.height == screen_area  # the video itself fills it
