"""The people panel, host controls, toasts, overlays and the volume on the real app against
the simulator (taps through the window, as a finger would)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from ui_harness import kiosk_settings, running_kiosk, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread

TEAM = "meet.team"


def row_for(panel, uuid: str):
    layout = panel.ids.rows.children[0]
    return next((r for r in layout.children if getattr(r, "uuid", None) == uuid), None)


def shown_rows(panel) -> list[str]:
    """Names (and section titles) of the rows drawn, top to bottom."""
    layout = panel.ids.rows.children[0]
    rows = sorted(layout.children, key=lambda r: -r.y)
    return [getattr(r, "name", "") or r.text for r in rows]


async def shot(kiosk, name: str) -> None:
    """Save a screenshot when KIOSK_TEST_SHOTS names a directory (for looking at it)."""
    directory = os.environ.get("KIOSK_TEST_SHOTS")
    if directory:
        await asyncio.sleep(0.3)
        kiosk.app.root.export_to_png(str(Path(directory) / f"{name}.png"))


async def join_as_host(kiosk) -> object:
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    home = kiosk.screen(ScreenName.HOME)
    tap(next(b for b in home.join_buttons() if b.meeting_alias == TEAM))
    pin = await kiosk.wait_screen(ScreenName.PIN)
    type_on_keypad(pin.ids.keypad, "1234")
    tap(pin.ids.join)
    in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
    await wait_until(lambda: in_call.is_host, "the host role")
    await wait_until(lambda: kiosk.session.roster.entries, "the roster")
    return in_call


async def bar_tap(in_call, widget) -> None:
    """Tap a control of the bar (bringing the bar back first: that touch presses nothing)."""
    from kiosk.ui.device.touch_driver import tap

    in_call.show_bar()  # restarts the hide timer, so the bar stays for the tap
    await asyncio.sleep(0.05)
    tap(widget)


async def test_lobby_toast_panel_admit_lock_and_remove_with_confirm(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        in_call = await join_as_host(kiosk)
        panel = in_call.ids.panel
        alex, sam = await asyncio.to_thread(simulator.control.lobby_guests, TEAM,
                                            ["Alex", "Sam"])
        toasts = in_call.ids.toasts
        await wait_until(lambda: any(t.key == "lobby" for t in toasts.toasts), "lobby toast")
        lobby = next(t for t in toasts.toasts if t.key == "lobby")
        assert lobby.text == "2 guests are waiting"
        await shot(kiosk, "lobby-toast")
        tap(lobby)  # the toast opens the panel
        await wait_until(lambda: in_call.panel_open and row_for(panel, alex), "the panel")
        assert shown_rows(panel)[:3] == ["Waiting to join", "Alex", "Sam"]
        listed = [item.get("name") or item["text"] for item in panel.ids.rows.data]
        assert listed == ["Waiting to join", "Alex", "Sam", "In the meeting", "Test room"]
        assert not any(t.key == "lobby" for t in toasts.toasts)  # gone once the panel opened
        await shot(kiosk, "panel")

        tap(row_for(panel, alex).ids.admit_button)
        await wait_until(lambda: in_call.waiting_count == 1, "Alex let in")
        await wait_until(lambda: any(t.text == "Alex was let in." for t in toasts.toasts),
                         "the result")
        tap(panel.ids.admit_all)
        await wait_until(lambda: in_call.waiting_count == 0, "everyone let in")
        tap(panel.ids.lock)
        await wait_until(lambda: panel.locked, "locked")
        room = await asyncio.to_thread(simulator.control.room, TEAM)
        assert room["conference"]["locked"] is True

        await wait_until(lambda: row_for(panel, sam) is not None
                         and row_for(panel, sam).ids.remove_button.width > 0, "Sam's remove button")
        tap(row_for(panel, sam).ids.remove_button)
        await wait_until(lambda: panel.confirm_uuid == sam, "the question")
        assert panel.confirm_name == "Sam"
        await shot(kiosk, "confirm-remove")
        tap(panel.ids.confirm_cancel)
        assert not panel.confirm_uuid
        room = await asyncio.to_thread(simulator.control.room, TEAM)
        assert any(p["uuid"] == sam for p in room["participants"])  # nothing happened
        tap(row_for(panel, sam).ids.remove_button)
        await wait_until(lambda: panel.confirm_uuid == sam, "the question again")
        tap(panel.ids.confirm_remove)
        await wait_until(lambda: kiosk.session.roster.find(sam) is None, "Sam removed")
        await wait_until(lambda: any(t.text == "Sam was removed from the meeting."
                                     for t in toasts.toasts), "the removal result")


async def test_a_refused_action_shows_a_sentence_and_changes_nothing(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        in_call = await join_as_host(kiosk)
        await bar_tap(in_call, in_call.ids.people)
        panel = in_call.ids.panel
        await wait_until(lambda: in_call.panel_open, "the panel")
        await asyncio.to_thread(simulator.control.inject_fault, "muteguests", status=403,
                                body={"status": "success", "result": "Permission denied"})
        tap(panel.ids.mute_guests)
        toasts = in_call.ids.toasts
        await wait_until(lambda: any("did not mute the guests" in t.text
                                     for t in toasts.toasts), "the refusal")
        assert not panel.guests_muted
        await shot(kiosk, "refused")


async def test_host_controls_follow_the_role_and_guests_never_see_them(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        in_call = await join_as_host(kiosk)
        panel = in_call.ids.panel
        await bar_tap(in_call, in_call.ids.people)
        guest = (await asyncio.to_thread(simulator.control.lobby_guests, TEAM, ["Kim"]))[0]
        await wait_until(lambda: row_for(panel, guest) is not None, "Kim's row")
        assert panel.ids.host_controls.height > 0
        assert row_for(panel, guest).ids.admit_button.width > 0
        own = next(e.uuid for e in kiosk.session.roster.entries if e.is_self)
        await asyncio.to_thread(simulator.control.set_role, TEAM, own, "GUEST")
        await wait_until(lambda: not in_call.is_host and not panel.is_host, "demoted")
        await wait_until(lambda: row_for(panel, guest) is not None
                         and row_for(panel, guest).ids.admit_button.width == 0, "no admit button")
        assert panel.ids.host_controls.height == 0 and panel.ids.host_controls.disabled
        await shot(kiosk, "guest-panel")
        await asyncio.to_thread(simulator.control.set_role, TEAM, own, "HOST")
        await wait_until(lambda: panel.ids.host_controls.height > 0, "promoted")


async def test_messages_toast_at_most_three_and_hold_and_splash_overlays(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        in_call = await join_as_host(kiosk)
        toasts = in_call.ids.toasts
        for number in range(5):
            await asyncio.to_thread(simulator.control.send_message, TEAM, f"Note {number}",
                                    "Alice")
        await wait_until(lambda: any(t.text == "Alice: Note 4" for t in toasts.toasts),
                         "the newest message")
        assert len(toasts.toasts) == 3
        assert [t.text for t in toasts.toasts] == ["Alice: Note 2", "Alice: Note 3",
                                                   "Alice: Note 4"]
        own = next(e.uuid for e in kiosk.session.roster.entries if e.is_self)
        await asyncio.to_thread(simulator.control.hold, TEAM, own, True)
        await wait_until(lambda: in_call.ids.hold.shown and in_call.covered, "on hold")
        assert not in_call.ids.remote.active  # nothing decoded for the screen meanwhile
        await shot(kiosk, "hold")
        await asyncio.to_thread(simulator.control.hold, TEAM, own, False)
        await wait_until(lambda: not in_call.ids.hold.shown, "resumed")
        await asyncio.to_thread(simulator.control.splash, TEAM, own, "direct_media_welcome")
        splash = in_call.ids.splash
        await wait_until(lambda: splash.shown and splash.texture is not None, "the splash")
        assert splash.text == "Welcome to the meeting"
        await shot(kiosk, "splash")
        await asyncio.to_thread(simulator.control.splash, TEAM, own, None)
        await wait_until(lambda: not splash.shown, "the splash gone")


async def test_a_200_roster_burst_fills_the_open_panel_in_few_rebuilds(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        in_call = await join_as_host(kiosk)
        panel = in_call.ids.panel
        await bar_tap(in_call, in_call.ids.people)
        await wait_until(lambda: in_call.panel_open, "the panel")
        before = panel.rebuilds
        await asyncio.to_thread(simulator.control.roster_burst, TEAM, 200, 500)
        await wait_until(lambda: panel.people_count == 201, "all 201 in the panel", 30)
        await asyncio.sleep(0.5)
        assert panel.rebuilds - before < 100  # batched: not one rebuild per event (700)
        assert len(panel.ids.rows.data) == 202  # a title and 201 people
        # A RecycleView: only the rows on screen exist as widgets.
        assert len(panel.ids.rows.children[0].children) < 40
        await shot(kiosk, "panel-200")


async def test_volume_buttons_and_slider_are_remembered(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    settings = kiosk_settings(sim_settings, state_dir=tmp_path, volume_default=50)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        in_call = await join_as_host(kiosk)
        volume = in_call.ids.volume
        assert volume.level == 50
        await bar_tap(in_call, volume.ids.up)
        await bar_tap(in_call, volume.ids.up)
        await wait_until(lambda: volume.level == 70, "two steps up")
        assert kiosk.app.room.volume.level == 70
        await bar_tap(in_call, volume.ids.down)
        await wait_until(lambda: volume.level == 60, "one step down")
        volume.slide(25)
        assert kiosk.app.room.volume.level == 25
        await kiosk.app.room.volume.flush()
        assert json.loads((tmp_path / "volume.json").read_text()) == {"volume": 25}


async def test_transfer_says_moving_to_and_a_pin_protected_meeting_asks_for_the_pin(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        await join_as_host(kiosk)
        own = next(e.uuid for e in kiosk.session.roster.entries if e.is_self)
        # Hold the new meeting's token request so that the Moving screen can be seen.
        await asyncio.to_thread(simulator.control.inject_fault, "meet.board/request_token",
                                delay=1.5)
        await asyncio.to_thread(simulator.control.transfer, TEAM, own, "meet.board")
        connecting = await kiosk.wait_screen(ScreenName.CONNECTING)
        await wait_until(lambda: connecting.title == "Moving to Board meeting…", "Moving to")
        await shot(kiosk, "moving")
        pin = await kiosk.wait_screen(ScreenName.PIN)
        await wait_until(lambda: not pin.optional, "the PIN-required prompt")
        await asyncio.sleep(0.3)  # the prompt's layout settles before the keys are pressed
        type_on_keypad(pin.ids.keypad, "2468")
        assert pin.ids.keypad.value == "2468"
        tap(pin.ids.join)
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        assert in_call.meeting_name == "Board meeting"


async def test_breakout_pill_ask_for_help_and_back(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        in_call = await join_as_host(kiosk)
        own = next(e.uuid for e in kiosk.session.roster.entries if e.is_self)
        opened = await asyncio.to_thread(simulator.control.open_breakout, TEAM, [own], "Room B")
        await wait_until(lambda: in_call.meeting_pill == "Breakout room: Room B", "the pill")
        await bar_tap(in_call, in_call.ids.people)
        panel = in_call.ids.panel
        await wait_until(lambda: in_call.panel_open and panel.ids.help.height > 0, "Help")
        await shot(kiosk, "breakout-panel")
        tap(panel.ids.help)
        await wait_until(lambda: any("asked to come and help" in t.text
                                     for t in in_call.ids.toasts.toasts), "help sent")
        room = await asyncio.to_thread(simulator.control.room, TEAM)
        assert [h["participant_uuid"] for h in room["help_requests"]] == [own]
        await asyncio.to_thread(simulator.control.close_breakout, TEAM, opened["breakout_uuid"])
        await wait_until(lambda: not in_call.meeting_pill, "the pill gone")
        await wait_until(lambda: any(t.text == "The room is back in the main meeting."
                                     for t in in_call.ids.toasts.toasts), "back")
        assert panel.ids.help.height == 0
