"""The kiosk's screens reached from the real session against the simulator, by real taps."""

from __future__ import annotations

import asyncio

import pytest
from ui_harness import kiosk_settings, running_kiosk, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread


async def test_home_shows_a_join_button_per_meeting_and_the_status(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.device_probe import CameraPresence
    from kiosk.ui.navigation.screen_names import ScreenName

    settings = kiosk_settings(sim_settings)
    async with running_kiosk(simulator, settings) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        buttons = home.join_buttons()
        assert [b.meeting_alias for b in buttons] == [m.alias for m in settings.all_meetings()]
        assert [b.text for b in buttons][0] == "Join Open meeting"
        assert all(not b.disabled for b in buttons)
        assert not home.ids.enter_id.disabled
        assert home.ids.room_name.text == "Test room"
        await wait_until(lambda: home.node_reachable is True, "the node check")
        assert home.ids.node_status.text == "Service connected"
        assert home.camera is CameraPresence.TEST


async def test_open_room_call_with_video_controls_and_leave(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings)) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        tap(home.join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        await wait_until(lambda: in_call.ids.remote.has_frame, "the far end's video")
        await wait_until(lambda: in_call.ids.self_view.has_frame, "the self-view")
        for control in ("mic", "camera", "dtmf", "leave"):
            assert not in_call.ids[control].disabled, control
        assert in_call.meeting_name == "Open meeting"
        assert in_call.participants_text.endswith("participant")
        # Tap on the self-view hides it (and stops pulling its frames); the eye brings it back.
        tap(in_call.ids.self_view)
        assert not in_call.self_view_visible and not in_call.ids.self_view.active
        tap(in_call.ids.show_self_view)
        assert in_call.self_view_visible and in_call.ids.self_view.active
        tap(in_call.ids.leave)
        await kiosk.wait_screen(ScreenName.HOME)
        assert kiosk.session.snapshot.state is SessionState.IDLE


async def test_in_call_keypad_sends_tapped_and_typed_tones_to_the_meeting_in_order(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kivy.core.window import Window

    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        assert not in_call.handle_keyboard(ord("7"), "7")  # keypad closed: digits go nowhere
        tap(in_call.ids.dtmf)
        assert in_call.dtmf_open
        await asyncio.sleep(0.1)  # a frame or two: the keypad lays out
        assert in_call.ids.dtmf_keypad.key_button("1").height >= 64  # at 800x480
        type_on_keypad(in_call.ids.dtmf_keypad, "1#")
        Window.dispatch("on_keyboard", ord("5"), 0, "5", [])  # a USB keypad while it is open
        Window.dispatch("on_keyboard", 268, 0, None, [])  # numpad *
        assert in_call.dtmf_digits == "1#5*"

        def sent() -> str:
            return "".join(d["digits"] for d in simulator.control.room("meet.open")["dtmf"])

        await wait_until(lambda: len(sent()) >= 4, "the tones to reach the node")
        assert sent() == "1#5*"  # every tone, once, in the order pressed


async def test_pin_required_wrong_pin_stays_then_right_pin_joins_as_host(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings)) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[2])  # Board meeting: PIN for all
        pin = await kiosk.wait_screen(ScreenName.PIN)
        assert not pin.optional
        assert not pin.guest_button_present()
        assert pin.ids.title.text == "This meeting needs a PIN"
        assert pin.ids.join.disabled  # nothing typed yet
        type_on_keypad(pin.ids.keypad, "1111")
        assert pin.ids.entry.masked and "1" not in pin.ids.entry.shown_text
        assert not pin.ids.join.disabled
        tap(pin.ids.join)
        await wait_until(lambda: pin.notice == "Incorrect PIN — try again", "the wrong-PIN notice")
        assert pin.ids.keypad.value == ""
        assert kiosk.app.current_screen is ScreenName.PIN
        type_on_keypad(pin.ids.keypad, "2468")
        tap(pin.ids.join)
        await kiosk.wait_screen(ScreenName.IN_CALL)
        assert kiosk.session.snapshot.role == "HOST"  # the taps reached the node as 2468


async def test_wrong_pins_start_a_cooldown_that_locks_the_keys(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[2])
        pin = await kiosk.wait_screen(ScreenName.PIN)
        for attempt in range(3):
            type_on_keypad(pin.ids.keypad, "9999")
            tap(pin.ids.join)
            await wait_until(lambda a=attempt: kiosk.session.snapshot.pin_attempts == a + 1
                             or pin.locked, "the wrong PIN to be counted")
        await wait_until(lambda: pin.locked, "the cool-down")
        assert "Try again in" in pin.notice
        assert pin.ids.keypad.key_button("5").disabled
        type_on_keypad(pin.ids.keypad, "5")
        assert pin.ids.keypad.value == ""
        await wait_until(lambda: not pin.locked, "the end of the cool-down", timeout=6)
        assert not pin.ids.keypad.key_button("5").disabled


async def test_optional_pin_guest_waits_for_the_host_then_mutes(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings)) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[1])  # Team meeting: guests allowed
        pin = await kiosk.wait_screen(ScreenName.PIN)
        assert pin.optional and pin.guest_button_present()
        assert pin.ids.title.text == "Enter the host PIN, or join as a guest"
        tap(pin.ids.guest)
        waiting = await kiosk.wait_screen(ScreenName.WAITING)
        assert not waiting.ids.leave.disabled
        await wait_until(lambda: waiting.ids.remote.has_frame, "the far end's picture")
        simulator.control.host_joins("meet.team")
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        assert kiosk.session.snapshot.role == "GUEST"
        tap(in_call.ids.mic)
        await wait_until(lambda: in_call.mic_muted, "the mute to show")
        assert in_call.ids.mic_badge.shown
        assert in_call.ids.mic.text == "Unmute"

        def node_sees_mute() -> bool:
            roster = simulator.control.room("meet.team")["participants"]
            return any(p.get("is_muted") in (True, "YES") for p in roster)

        await wait_until(node_sees_mute, "the node to see the room muted")


async def test_virtual_reception_asks_for_the_meeting_number(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[3])
        meeting_id = await kiosk.wait_screen(ScreenName.MEETING_ID)
        await wait_until(lambda: meeting_id.extension, "the reception's prompt")
        assert meeting_id.ids.title.text == "Enter the meeting number"
        type_on_keypad(meeting_id.ids.keypad, "1001")
        assert meeting_id.ids.entry.shown_text == "1001"  # meeting numbers are shown
        tap(meeting_id.ids.join)
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        assert in_call.meeting_name == "Open meeting"


async def test_unknown_meeting_id_shows_a_sentence_and_back_goes_home(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.device.touch_driver import tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).ids.enter_id)
        meeting_id = await kiosk.wait_screen(ScreenName.MEETING_ID)
        assert meeting_id.ids.title.text == "Enter the meeting ID"
        type_on_keypad(meeting_id.ids.keypad, "9999")
        tap(meeting_id.ids.join)
        error = await kiosk.wait_screen(ScreenName.ERROR)
        assert error.message == "This meeting could not be found. Check the meeting ID."
        assert "Traceback" not in error.ids.message.text
        assert not error.ids.back.disabled
        tap(error.ids.back)
        await kiosk.wait_screen(ScreenName.HOME)
        await wait_until(lambda: kiosk.session.snapshot.state is SessionState.IDLE, "IDLE")


async def test_cancel_on_connecting_really_cancels(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        simulator.control.inject_fault("request_token", delay=3.0)
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        connecting = await kiosk.wait_screen(ScreenName.CONNECTING)
        assert connecting.ids.spinner.active
        assert connecting.ids.title.text == "Joining Open meeting…"
        tap(connecting.ids.cancel)
        await kiosk.wait_screen(ScreenName.HOME, timeout=3)
        assert kiosk.session.snapshot.state is SessionState.IDLE
        assert not connecting.ids.spinner.active  # no animation off screen


async def test_control_bar_hides_after_quiet_seconds_and_returns_on_touch(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        kiosk.screen(ScreenName.IN_CALL).bar_hide_seconds = 1.0
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
        assert in_call.bar_visible
        await wait_until(lambda: not in_call.bar_visible, "the bar to hide", timeout=3)
        # The touch that brings the bar back presses nothing under it.
        tap(in_call.ids.leave)
        assert in_call.bar_visible and in_call.ids.bar.opacity == 1
        assert kiosk.app.current_screen is ScreenName.IN_CALL
        await wait_until(lambda: not in_call.bar_visible, "the bar to hide again", timeout=3)


async def test_escape_and_window_close_do_not_end_the_kiosk(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kivy.core.window import Window

    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        assert Window.dispatch("on_keyboard", 27, 41, None, []) is True  # Escape / back
        assert Window.dispatch("on_request_close") is True  # kept open
        await asyncio.sleep(0.2)
        assert kiosk.app.current_screen is ScreenName.HOME
        assert kiosk.app.root is not None and kiosk.app.root.parent is Window


async def test_usb_keypad_digits_reach_the_pin_keypad(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kivy.core.window import Window

    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[2])
        pin = await kiosk.wait_screen(ScreenName.PIN)
        for char in "24":
            Window.dispatch("on_keyboard", ord(char), 0, char, [])
        for numpad_digit in (6, 8):
            Window.dispatch("on_keyboard", 256 + numpad_digit, 0, None, [])
        assert len(pin.ids.keypad.value) == 4
        Window.dispatch("on_keyboard", 13, 40, None, [])  # Enter joins
        await kiosk.wait_screen(ScreenName.IN_CALL)
        assert kiosk.session.snapshot.role == "HOST"


async def test_idle_screen_first_touch_only_wakes(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.device.touch_driver import tap_at
    from kiosk.ui.navigation.screen_names import ScreenName

    settings = kiosk_settings(sim_settings, idle_seconds=1)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        await kiosk.wait_screen(ScreenName.IDLE, timeout=4)
        join = kiosk.screen(ScreenName.HOME).join_buttons()[0]
        tap_at(*join.to_window(*join.center))
        await kiosk.wait_screen(ScreenName.HOME)
        await asyncio.sleep(0.3)
        assert kiosk.session.snapshot.state is SessionState.IDLE  # nothing was joined


async def test_admin_needs_the_pin_then_shows_diagnostics(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from ui_harness import ADMIN_PIN

    from kiosk.ui.device.touch_driver import long_press, tap, type_on_keypad
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        # Generous margins: a loaded machine stretches every sleep of the test.
        home.ids.room_name.hold_seconds = 1.0
        await long_press(home.ids.room_name, 0.1)  # a short press does nothing
        await asyncio.sleep(1.2)
        assert kiosk.app.current_screen is ScreenName.HOME
        await long_press(home.ids.room_name, 1.6)
        unlock = await kiosk.wait_screen(ScreenName.ADMIN_UNLOCK)
        type_on_keypad(unlock.ids.keypad, "0000")
        tap(unlock.ids.unlock)
        assert unlock.notice == "Incorrect PIN — try again"
        assert kiosk.app.current_screen is ScreenName.ADMIN_UNLOCK
        type_on_keypad(unlock.ids.keypad, ADMIN_PIN)
        tap(unlock.ids.unlock)
        admin = await kiosk.wait_screen(ScreenName.ADMIN)
        labels = [w.text for w in reversed(admin.ids.table.children)][::2]
        assert labels == ["Version", "Node", "Node reachable", "Camera", "Microphone",
                          "Speaker", "IP address", "Last error"]
        assert all(not admin.ids[b].disabled for b in ("quit", "restart", "done"))
        tap(admin.ids.done)
        await kiosk.wait_screen(ScreenName.HOME)


async def test_without_an_admin_pin_the_long_press_does_nothing(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import long_press
    from kiosk.ui.navigation.screen_names import ScreenName

    settings = kiosk_settings(sim_settings, admin_pin="")
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        home.ids.room_name.hold_seconds = 0.2
        await long_press(home.ids.room_name, 0.4)
        await asyncio.sleep(0.2)
        assert kiosk.app.current_screen is ScreenName.HOME


async def test_meeting_ended_by_the_node_shows_the_error_then_goes_home(
    simulator: SimulatorThread, sim_settings: Settings
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        await kiosk.wait_screen(ScreenName.IN_CALL)
        await asyncio.to_thread(simulator.control.end_meeting, "meet.open")
        error = await kiosk.wait_screen(ScreenName.ERROR)
        assert error.message == "The meeting has ended."
        assert error.retry_possible and not error.ids.retry.disabled
        error._deadline = 0  # the 30 s timeout, without the wait
        await kiosk.wait_screen(ScreenName.HOME, timeout=3)


async def test_an_unexpected_failure_shows_the_error_screen_never_a_traceback(
    simulator: SimulatorThread, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    async with running_kiosk(simulator, kiosk_settings(sim_settings), with_media=False) as kiosk:

        async def broken_join(alias: str) -> None:
            raise RuntimeError("a bug in the session")

        kiosk.session.join = broken_join  # an internal bug: the session should never raise
        tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
        error = await kiosk.wait_screen(ScreenName.ERROR)
        assert error.message == "Something went wrong. Please try again."
        assert "RuntimeError" not in error.ids.message.text
        assert any("a bug in the session" in r.getMessage() or r.exc_info for r in caplog.records)
        tap(error.ids.back)
        await kiosk.wait_screen(ScreenName.HOME)
