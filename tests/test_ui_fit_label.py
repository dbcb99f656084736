"""Captions that do not fit on one line wrap onto two (FitLabel.wrap_lines), and the
in-call control bar gives its captions one size and the height they need."""

from __future__ import annotations

import asyncio

from ui_harness import kiosk_settings, running_kiosk, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread


async def test_a_caption_of_two_words_wraps_rather_than_overflows(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.widgets.fit_label import FitLabel

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False):
        one_line = FitLabel(text="Mikrofon", max_font_size=19, fit_width=200, wrap_lines=2)
        wrapped = FitLabel(text="Mikrofon aus", max_font_size=19, fit_width=62, wrap_lines=2)
        word = FitLabel(text="Teilnehmerliste", max_font_size=19, fit_width=62, wrap_lines=2)
        single = FitLabel(text="Mikrofon aus", max_font_size=19, fit_width=62)
        for label in (one_line, wrapped, word, single):
            label.texture_update()
        await asyncio.sleep(0.1)
        assert one_line.font_size == 19 and one_line.text_size == [None, None]
        # Two lines at a readable size, each line inside the width.
        assert wrapped.text_size == [62, None]
        assert wrapped.font_size > single.font_size
        assert wrapped.texture_size[0] <= 62 + 2
        assert wrapped.texture_size[1] > 1.5 * one_line.texture_size[1] * wrapped.font_size / 19
        # One word cannot wrap: it shrinks (as without wrap_lines).
        assert word.text_size == [None, None] and word.font_size < 19
        # A row's ceiling may let the caption fit on one line again.
        wrapped.ceiling = 8
        wrapped.texture_update()
        await asyncio.sleep(0.1)
        assert wrapped.text_size == [None, None] and wrapped.font_size == 8
        assert wrapped.texture_size[0] <= 62 + 2


async def test_the_control_bar_in_german_at_large_text_fits_every_caption(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.demo.layout_check import find_overflows
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName
    from kiosk.ui.room_theme import theme_for
    from kiosk.ui.widgets.kiosk_button import IconButton

    settings = kiosk_settings(sim_settings, language="de", text_scale=1.4)
    async with running_kiosk(simulator, settings, theme=theme_for(settings),
                             with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        await wait_until(lambda: in_call.layouts_available and in_call.captions_available,
                         "the Layout and CC buttons")
        bar = in_call.ids.bar
        mic = in_call.ids.mic

        def settled() -> bool:
            buttons = [b for b in bar.children if isinstance(b, IconButton)]
            return (mic.text == "Mikrofon aus" and len(buttons) == 7
                    and len({round(b.ids.caption.font_size, 2) for b in buttons}) == 1
                    and all(b.height >= b.natural_height - 1 for b in buttons))

        await wait_until(settled, "one caption size, buttons tall enough")
        await asyncio.sleep(0.3)
        problems = [str(p) for p in find_overflows(bar, in_call.size)]
        assert problems == []
        # Every caption inside its button (above), every button on the screen.
        assert bar.x >= in_call.x and bar.right <= in_call.right
        assert mic.ids.caption.font_size > mic.ids.caption.max_font_size * 0.6
