"""The kiosk in the room's language and theme, against the simulator, by real taps."""

from __future__ import annotations

import asyncio

import pytest
from ui_harness import kiosk_settings, running_kiosk, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread

TEXT_SCALE = 1.4


async def test_a_german_room_sees_german_screens_and_session_messages(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName
    from kiosk.ui.room_theme import theme_for

    settings = kiosk_settings(sim_settings, language="de")
    async with running_kiosk(simulator, settings, theme=theme_for(settings)) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        assert home.join_buttons()[0].text == "Open meeting beitreten"
        assert home.ids.enter_id.text == "Meeting-ID eingeben"
        await wait_until(lambda: home.node_text == "Dienst verbunden", "the node check")
        tap(home.join_buttons()[2])  # Board meeting: a PIN for everyone
        pin = await kiosk.wait_screen(ScreenName.PIN)
        assert pin.ids.title.text == "Für dieses Meeting ist eine PIN nötig"
        type_on_keypad(pin.ids.keypad, "1111")
        tap(pin.ids.join)
        # The session published its English Message; the screen shows it in German.
        await wait_until(lambda: pin.notice == "Falsche PIN – bitte erneut versuchen",
                         "the German wrong-PIN notice")
        assert kiosk.session.snapshot.notice == "Incorrect PIN — try again"
        assert kiosk.session.snapshot.notice.code == "pin_incorrect"
        tap(pin.ids.cancel)
        await kiosk.wait_screen(ScreenName.HOME)
        tap(home.ids.enter_id)
        meeting_id = await kiosk.wait_screen(ScreenName.MEETING_ID)
        type_on_keypad(meeting_id.ids.keypad, "9999")
        tap(meeting_id.ids.join)
        error = await kiosk.wait_screen(ScreenName.ERROR)
        assert error.message == "Dieses Meeting wurde nicht gefunden. Prüfen Sie die Meeting-ID."
        assert kiosk.session.snapshot.error.message.code == "conference_not_found"
        assert error.countdown.startswith("Zurück zum Startbildschirm in ")


@pytest.mark.parametrize("theme_name", ["light", "high-contrast"])
async def test_widgets_take_their_colours_from_the_rooms_theme(
    simulator: SimulatorThread, sim_settings: Settings, theme_name: str
) -> None:
    from kiosk.ui.navigation.screen_names import ScreenName
    from kiosk.ui.palettes import PALETTES
    from kiosk.ui.room_theme import theme_for

    settings = kiosk_settings(sim_settings, theme=theme_name, text_scale=TEXT_SCALE)
    palette = PALETTES[theme_name]
    async with running_kiosk(simulator, settings, theme=theme_for(settings, {})) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        join = home.join_buttons()[0]
        enter_id = home.ids.enter_id
        assert tuple(join.bg_color) == pytest.approx(palette.primary)
        assert tuple(join.ids.caption.color) == pytest.approx(palette.text_on_accent)
        assert tuple(enter_id.ids.caption.color) == pytest.approx(palette.text)
        assert tuple(home.ids.room_name.color) == pytest.approx(palette.text)
        assert join.ids.caption.max_font_size == pytest.approx(
            kiosk.app.u * kiosk.app.theme.sizes.font_heading)
        pin = kiosk.screen(ScreenName.PIN)
        await asyncio.sleep(0.2)  # a built screen lays out before the app may stop
        keypad_key = pin.ids.keypad.key_button("5")
        assert tuple(keypad_key.bg_color) == pytest.approx(palette.surface)
        # Disabled (nothing typed yet): Kivy draws `disabled_color`, the theme's one.
        assert pin.ids.join.disabled
        assert tuple(pin.ids.join.ids.caption.disabled_color) == pytest.approx(
            palette.text_disabled)
