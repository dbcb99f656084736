"""`pexip-kiosk demo --autopilot`: the app drives itself through every kind of demo room.

Every step taps real widgets through the Window (the same path as a finger),
waits for the screen the session leads to, and optionally saves screenshots.
A step that does not reach its screen in time fails the run with its name.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.demo.host_tour import host_tour
from kiosk.demo.screenshots import ScreenshotTaker
from kiosk.session.pin_policy import INCORRECT_PIN_NOTICE
from kiosk.ui.device.touch_driver import long_press, tap, tap_at, type_on_keypad
from kiosk.ui.navigation.screen_names import ScreenName

if TYPE_CHECKING:
    from kivy.uix.widget import Widget

    from kiosk.simulator.control_client import SimulatorControl
    from kiosk.ui.app import KioskApp

log = logging.getLogger(__name__)

STEP_TIMEOUT = 20.0
POLL_SECONDS = 0.05
CONNECTING_HOLD_SECONDS = 2.0
WRONG_PIN = "1111"
BOARD_HOST_PIN = "2468"
ADMIN_HOLD_SECONDS = 5.3
# The Team meeting's host presents 20 s after the room joins (assets/demo_rooms.toml).
PRESENTATION_TIMEOUT = 45.0
DEMO_LAYOUT = "1:7"
DEMO_CAPTIONS = ["Good morning everyone, thanks for joining.",
                 "Let's start with last quarter's numbers."]


class AutopilotFailed(Exception):
    """A step did not reach what it expected; `str()` names the step."""


class Autopilot:
    """Runs the demo scenario against the running app; `run()` returns the exit code."""

    def __init__(
        self, app: KioskApp, node: SimulatorControl, screenshots: Path | None, admin_pin: str
    ) -> None:
        self._app = app
        self._node = node
        self._admin_pin = admin_pin
        self._shots = ScreenshotTaker(app, screenshots) if screenshots is not None else None
        self._step = "start"

    # ------------------------------------------------------------------ plumbing

    def _report(self, **fields: object) -> None:
        sys.stdout.write(json.dumps(fields) + "\n")
        sys.stdout.flush()

    def _begin(self, step: str) -> None:
        self._step = step
        log.info("Autopilot step: %s", step)

    async def _wait(
        self, what: str, condition: Callable[[], bool], timeout: float = STEP_TIMEOUT
    ) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                shown = self._app.current_screen.value
                raise AutopilotFailed(f"{self._step}: {what} (screen is {shown!r})")
            await asyncio.sleep(POLL_SECONDS)

    async def _wait_screen(self, name: ScreenName, timeout: float = STEP_TIMEOUT) -> None:
        await self._wait(f"expected the {name.value} screen", lambda: self._on(name), timeout)
        await asyncio.sleep(0.1)  # let the new screen lay out before touching it

    def _on(self, name: ScreenName) -> bool:
        return self._app.current_screen is name

    async def _shot(self, label: str = "") -> None:
        if self._shots is not None:
            await self._shots.take(label)

    def _screen(self, name: ScreenName) -> Any:
        # Any: each screen has its own properties and ids (a concrete KioskScreen subclass).
        return self._app.screen(name)

    # ------------------------------------------------------------------ scenario

    async def run(self) -> int:
        """The whole scenario; 0 when every step passed."""
        started = time.monotonic()
        try:
            await self._home()
            await self._calendar()
            await self._open_room()
            await self._pin_room()
            await self._guest_room()
            await host_tour(self)
            await self._reception()
            await self._unknown_meeting()
            await self._idle()
            await self._admin()
        except AutopilotFailed as exc:
            self._report(event="autopilot", result="failed", step=self._step, reason=str(exc))
            return 1
        except Exception as exc:
            log.exception("Autopilot step %s crashed", self._step)
            self._report(
                event="autopilot", result="failed", step=self._step, reason=type(exc).__name__
            )
            return 1
        saved = [str(p) for p in self._shots.saved] if self._shots is not None else []
        self._report(
            event="autopilot",
            result="passed",
            seconds=round(time.monotonic() - started, 1),
            screenshots=saved,
            # Text that did not fit in a screenshot (none expected in any language).
            overflows=self._shots.overflows if self._shots is not None else [],
        )
        return 0

    async def _home(self) -> None:
        self._begin("home screen")
        await self._wait_screen(ScreenName.HOME)
        home = self._screen(ScreenName.HOME)
        await self._wait("the node status shows reachable", lambda: home.node_reachable is True)
        await self._shot()

    def _join_button(self, alias: str) -> Widget:
        home = self._screen(ScreenName.HOME)
        for button in home.join_buttons():
            if button.meeting_alias == alias:
                # Below today's agenda: scrolled into view first, as a finger would.
                home.ids.home_scroll.scroll_to(button, padding=0, animate=False)
                return button
        raise AutopilotFailed(f"{self._step}: no Join button for {alias}")

    async def _tap_meeting(self, alias: str) -> None:
        button = self._join_button(alias)
        scroll = self._screen(ScreenName.HOME).ids.home_scroll

        def in_view() -> bool:
            x, y = button.to_window(*button.center)
            left, bottom = scroll.to_window(*scroll.pos)
            shown = left <= x <= left + scroll.width and bottom <= y <= bottom + scroll.height
            if not shown:
                # Scrolled again: a scroll made while the list was still growing (large
                # text, a long agenda) can leave the button just outside the view.
                scroll.scroll_to(button, padding=0, animate=False)
            return shown

        # The scrolled list lays out before the tap (a loaded machine takes its time).
        await self._wait(f"the Join button of {alias} scrolls into view", in_view, timeout=5)
        await asyncio.sleep(0.2)
        tap(button)

    async def _calendar(self) -> None:
        self._begin("calendar: today's agenda")
        home = self._screen(ScreenName.HOME)
        await self._wait("the calendar's running meeting shows",
                         lambda: home.featured_card() is not None and home.featured_card().can_join)
        await asyncio.sleep(0.3)
        await self._shot("agenda")
        self._begin("calendar: the auto-join countdown")
        card = home.featured_card()
        # What KIOSK_AUTO_JOIN=true does at the start:
        self._app.calendar_joins.countdown.start(card.meeting)
        await asyncio.sleep(0.3)
        await self._shot("auto-join")
        tap(home.ids.countdown_cancel)
        await self._wait("the countdown is cancelled", lambda: home.countdown_seconds == 0)
        self._begin("calendar: join from the agenda")
        await asyncio.sleep(0.2)
        tap(home.featured_card().ids.join)
        await self._wait_in_call_with_video()
        await self._shot("from-calendar")
        self._begin("calendar: leave")
        await self._leave()
        # Scrolled down to the settings' meetings and back: the agenda is on top again.
        await asyncio.sleep(0.2)
        self._begin("calendar: a PIN room from the agenda")
        board = next((c for c in home.now_cards() if c.meeting.address.target is not None
                      and c.meeting.address.target.alias == "meet.board"), None)
        if board is None:
            raise AutopilotFailed(f"{self._step}: the Board meeting is not on the agenda")
        home.ids.home_scroll.scroll_to(board, padding=0, animate=False)
        await asyncio.sleep(0.3)
        tap(board.ids.join)
        await self._wait_screen(ScreenName.PIN)
        await self._shot("from-calendar")
        tap(self._screen(ScreenName.PIN).ids.cancel)
        await self._wait_screen(ScreenName.HOME)
        home.ids.home_scroll.scroll_y = 1

    async def _wait_in_call_with_video(self) -> None:
        await self._wait_screen(ScreenName.IN_CALL)
        in_call = self._screen(ScreenName.IN_CALL)
        await self._wait("the far end's video shows", lambda: in_call.ids.remote.has_frame)
        await self._wait("the self-view shows", lambda: in_call.ids.self_view.has_frame)
        await asyncio.sleep(0.3)

    async def _wait_for_tones(self, alias: str, digits: str) -> None:
        """Until the node has recorded `digits` as the room's DTMF (the real request)."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            room = await asyncio.to_thread(self._node.room, alias)
            if "".join(tone["digits"] for tone in room["dtmf"]) == digits:
                return
            if time.monotonic() > deadline:
                raise AutopilotFailed(f"{self._step}: the node did not receive the tones")
            await asyncio.sleep(POLL_SECONDS)

    async def _leave(self) -> None:
        in_call = self._screen(ScreenName.IN_CALL)
        if not in_call.bar_visible:
            tap(in_call)  # the first touch only brings the control bar back
            await asyncio.sleep(0.1)
        tap(in_call.ids.leave)
        await self._wait_screen(ScreenName.HOME)

    async def _open_room(self) -> None:
        self._begin("open room: join")
        # Hold the token request a moment so the Connecting screen can be seen.
        await asyncio.to_thread(
            self._node.inject_fault, "request_token", delay=CONNECTING_HOLD_SECONDS
        )
        await self._tap_meeting("meet.open")
        await self._wait_screen(ScreenName.CONNECTING)
        await self._shot()
        self._begin("open room: in call")
        await self._wait_in_call_with_video()
        await self._shot()
        self._begin("open room: keypad (DTMF)")
        in_call = self._screen(ScreenName.IN_CALL)
        if not in_call.bar_visible:
            tap(in_call)
        tap(in_call.ids.dtmf)
        await self._wait("the DTMF keypad opens", lambda: in_call.dtmf_open)
        type_on_keypad(in_call.ids.dtmf_keypad, "1")
        await self._wait_for_tones("meet.open", "1")
        await self._shot("keypad")
        tap(in_call.ids.dtmf)
        await self._layouts_and_captions()
        self._begin("open room: control bar hides")
        await self._wait("the control bar hides", lambda: not in_call.bar_visible, timeout=10)
        await asyncio.sleep(0.4)
        await self._shot("bar-hidden")
        self._begin("open room: leave")
        await self._leave()

    def _show_bar(self) -> Any:
        in_call = self._screen(ScreenName.IN_CALL)
        if not in_call.bar_visible:
            tap(in_call)  # the first touch only brings the control bar back
        return in_call

    async def _layouts_and_captions(self) -> None:
        self._begin("open room: layout picker")
        in_call = self._show_bar()
        await self._wait("the Layout button shows", lambda: in_call.layouts_available)
        tap(in_call.ids.layout)
        picker = in_call.ids.layout_picker
        await self._wait("the layout thumbnails show", lambda: len(picker.thumbs()) >= 4)
        target = next(t for t in picker.thumbs() if t.layout == DEMO_LAYOUT)
        tap(target)
        await self._wait("the meeting shows the chosen layout", lambda: target.selected)
        room = await asyncio.to_thread(self._node.room, "meet.open")
        if room["layout"] != DEMO_LAYOUT:
            raise AutopilotFailed(f"{self._step}: the node did not get the layout")
        await asyncio.sleep(0.2)
        await self._shot("layouts")
        tap(in_call.ids.layout)
        self._begin("open room: live captions")
        await self._wait("the CC button shows", lambda: in_call.captions_available)
        tap(self._show_bar().ids.captions)
        await self._wait("captions are on", lambda: in_call.captions_shown)
        await asyncio.to_thread(self._node.play_captions, "meet.open", DEMO_CAPTIONS, 0.08)
        overlay = in_call.ids.captions_overlay
        await self._wait("the captions show", lambda: overlay.current == DEMO_CAPTIONS[-1])
        await asyncio.sleep(0.2)
        await self._shot("captions")
        tap(self._show_bar().ids.captions)
        await self._wait("captions are off", lambda: not in_call.captions_shown)

    async def _presentation(self) -> None:
        self._begin("optional-PIN room: the host presents")
        in_call = self._screen(ScreenName.IN_CALL)
        await self._wait("the host presents", lambda: in_call.presenting,
                         timeout=PRESENTATION_TIMEOUT)
        await self._wait("the slides and the PiP show", lambda: in_call.ids.remote.has_frame
                         and in_call.ids.pip.has_frame and in_call.ids.remote.blits > 3)
        await asyncio.sleep(0.3)
        await self._shot("presenting")
        self._begin("optional-PIN room: swap slides and people")
        tap(in_call.ids.pip)
        await self._wait("the people fill the screen", lambda: in_call.swapped)
        await asyncio.sleep(0.5)
        await self._shot("swapped")
        tap(in_call.ids.pip)
        await self._wait("the slides fill the screen again", lambda: not in_call.swapped)

    async def _pin_room(self) -> None:
        self._begin("PIN room: join")
        await self._tap_meeting("meet.board")
        await self._wait_screen(ScreenName.PIN)
        pin = self._screen(ScreenName.PIN)
        if pin.optional or pin.guest_button_present():
            raise AutopilotFailed(f"{self._step}: the Board meeting must require a PIN")
        await self._shot("required")
        self._begin("PIN room: wrong PIN")
        type_on_keypad(pin.ids.keypad, WRONG_PIN)
        await asyncio.sleep(0.1)
        await self._shot("dots")
        tap(pin.ids.join)
        wrong = self._app.theme.translator.render(INCORRECT_PIN_NOTICE)
        await self._wait("the wrong PIN is reported", lambda: pin.notice == wrong)
        await self._wait("the dots are cleared", lambda: pin.ids.keypad.value == "")
        if not self._on(ScreenName.PIN):
            raise AutopilotFailed(f"{self._step}: a wrong PIN must keep the PIN screen")
        await self._shot("wrong")
        self._begin("PIN room: right PIN")
        type_on_keypad(pin.ids.keypad, BOARD_HOST_PIN)
        tap(pin.ids.join)
        await self._wait_in_call_with_video()
        self._begin("PIN room: leave")
        await self._leave()

    async def _guest_room(self) -> None:
        self._begin("optional-PIN room: join")
        await self._tap_meeting("meet.team")
        await self._wait_screen(ScreenName.PIN)
        pin = self._screen(ScreenName.PIN)
        if not pin.guest_button_present():
            raise AutopilotFailed(f"{self._step}: 'Join as guest' must be offered")
        await self._shot("optional")
        self._begin("optional-PIN room: join as guest")
        tap(pin.ids.guest)
        await self._wait_screen(ScreenName.WAITING)
        waiting = self._screen(ScreenName.WAITING)
        await self._wait("the far end's picture shows", lambda: waiting.ids.remote.has_frame)
        await asyncio.sleep(0.3)
        await self._shot()
        self._begin("optional-PIN room: the host joins")
        await asyncio.to_thread(self._node.host_joins, "meet.team")
        await self._wait_in_call_with_video()
        self._begin("optional-PIN room: mute")
        in_call = self._screen(ScreenName.IN_CALL)
        if not in_call.bar_visible:
            tap(in_call)
            await asyncio.sleep(0.1)
        tap(in_call.ids.mic)
        await self._wait("the microphone shows muted", lambda: in_call.mic_muted)
        await asyncio.sleep(0.2)
        await self._shot("muted")
        await self._presentation()
        self._begin("optional-PIN room: leave")
        await self._leave()

    async def _reception(self) -> None:
        self._begin("Virtual Reception: join")
        await self._tap_meeting("reception")
        await self._wait_screen(ScreenName.MEETING_ID)
        meeting_id = self._screen(ScreenName.MEETING_ID)
        await self._wait("the screen asks for a meeting number", lambda: meeting_id.extension)
        type_on_keypad(meeting_id.ids.keypad, "1001")
        await asyncio.sleep(0.1)
        await self._shot("extension")
        self._begin("Virtual Reception: meeting number")
        tap(meeting_id.ids.join)
        await self._wait_in_call_with_video()
        self._begin("Virtual Reception: leave")
        await self._leave()

    async def _unknown_meeting(self) -> None:
        self._begin("meeting ID: unknown meeting")
        home = self._screen(ScreenName.HOME)
        tap(home.ids.enter_id)
        await self._wait_screen(ScreenName.MEETING_ID)
        meeting_id = self._screen(ScreenName.MEETING_ID)
        type_on_keypad(meeting_id.ids.keypad, "9999")
        await self._shot("dial")
        tap(meeting_id.ids.join)
        await self._wait_screen(ScreenName.ERROR)
        await self._shot()
        self._begin("meeting ID: back from the error")
        tap(self._screen(ScreenName.ERROR).ids.back)
        await self._wait_screen(ScreenName.HOME)

    async def _idle(self) -> None:
        self._begin("idle screen")
        self._app.go_idle_now()
        await self._wait_screen(ScreenName.IDLE)
        await self._shot()
        self._begin("idle: the first touch only wakes")
        home = self._screen(ScreenName.HOME)
        card = home.featured_card()
        join = card.ids.join if card is not None else home.join_buttons()[0]
        x, y = join.to_window(*join.center)
        tap_at(x, y)  # where a Join button is on Home: it must NOT join
        await self._wait_screen(ScreenName.HOME)
        await asyncio.sleep(0.3)
        if not self._on(ScreenName.HOME):
            raise AutopilotFailed(f"{self._step}: the waking touch pressed a button")

    async def _admin(self) -> None:
        self._begin("admin: long press on the room name")
        home = self._screen(ScreenName.HOME)
        await long_press(home.ids.room_name, ADMIN_HOLD_SECONDS)
        await self._wait_screen(ScreenName.ADMIN_UNLOCK)
        await self._shot()
        self._begin("admin: PIN")
        unlock = self._screen(ScreenName.ADMIN_UNLOCK)
        type_on_keypad(unlock.ids.keypad, self._admin_pin)
        tap(unlock.ids.unlock)
        await self._wait_screen(ScreenName.ADMIN)
        await self._shot()
        self._begin("admin: done")
        tap(self._screen(ScreenName.ADMIN).ids.done)
        await self._wait_screen(ScreenName.HOME)
