"""The autopilot's tour of a meeting the room hosts: the Team meeting with its host PIN.

Two guests arrive in the lobby 10 s after the room joined (the demo rooms file says
so); the lobby toast shows, the panel lists them first under "Waiting to join", the
room admits one and then all, locks the meeting, and the node puts the room on hold,
shows a splash screen, sends a message and takes the room into a breakout and back.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from kiosk.ui.device.touch_driver import tap, type_on_keypad
from kiosk.ui.navigation.screen_names import ScreenName

if TYPE_CHECKING:
    from kiosk.demo.autopilot import Autopilot

TEAM = "meet.team"
TEAM_HOST_PIN = "1234"
LOBBY_WAIT = 25.0  # the guests come 10 s after the room joined


def roster_row(panel: Any, uuid: str) -> Any:
    """The row widget the panel's list shows for `uuid` (None when not on screen)."""
    layout = panel.ids.rows.children[0]
    return next((row for row in layout.children if getattr(row, "uuid", None) == uuid), None)


async def host_tour(pilot: Autopilot) -> None:
    """Run the tour (the autopilot's `_begin`, `_wait`, `_shot` report each step)."""
    pilot._begin("host room: join with the host PIN")
    await pilot._tap_meeting(TEAM)
    await pilot._wait_screen(ScreenName.PIN)
    pin = pilot._screen(ScreenName.PIN)
    type_on_keypad(pin.ids.keypad, TEAM_HOST_PIN)
    tap(pin.ids.join)
    await pilot._wait_in_call_with_video()
    in_call = pilot._screen(ScreenName.IN_CALL)
    session = pilot._app.session
    await pilot._wait("the room is a host", lambda: in_call.is_host)

    pilot._begin("host room: guests arrive in the lobby")
    await pilot._wait("two guests wait", lambda: in_call.waiting_count == 2, timeout=LOBBY_WAIT)
    toasts = in_call.ids.toasts
    await pilot._wait("the lobby toast shows", lambda: any(t.key == "lobby"
                                                            for t in toasts.toasts))
    await asyncio.sleep(0.3)
    await pilot._shot("lobby-toast")

    pilot._begin("host room: the people panel")
    if not in_call.bar_visible:
        tap(in_call)
        await asyncio.sleep(0.1)
    tap(in_call.ids.people)
    panel = in_call.ids.panel
    await pilot._wait("the panel opens", lambda: in_call.panel_open and panel.rebuilds > 0)
    await asyncio.sleep(0.4)
    await pilot._shot("panel")

    pilot._begin("host room: admit one guest")
    first = session.roster.waiting[0]
    await pilot._wait("the guest's row shows", lambda: roster_row(panel, first.uuid) is not None)
    tap(roster_row(panel, first.uuid).ids.admit_button)
    await pilot._wait("one guest is let in", lambda: in_call.waiting_count == 1)
    pilot._begin("host room: admit all")
    tap(panel.ids.admit_all)
    await pilot._wait("everyone is let in", lambda: in_call.waiting_count == 0)
    pilot._begin("host room: lock the meeting")
    tap(panel.ids.lock)
    await pilot._wait("the meeting is locked", lambda: panel.locked)
    await asyncio.sleep(0.4)
    await pilot._shot("host-controls")
    tap(panel.ids.close)
    await pilot._wait("the panel closes", lambda: not in_call.panel_open)

    own = session.roster.entries[0].uuid if session.roster.entries else ""
    own = next((e.uuid for e in session.roster.entries if e.is_self), own)
    node = pilot._node

    pilot._begin("host room: a message")
    await asyncio.to_thread(node.send_message, TEAM, "Welcome, everyone!", "Alex Guest")
    await pilot._wait("the message shows", lambda: len(toasts.toasts) >= 1)

    pilot._begin("host room: on hold")
    await asyncio.to_thread(node.hold, TEAM, own, True)
    await pilot._wait("the hold screen shows", lambda: in_call.ids.hold.shown)
    await asyncio.sleep(0.3)
    await pilot._shot("hold")
    await asyncio.to_thread(node.hold, TEAM, own, False)
    await pilot._wait("the call resumes", lambda: not in_call.ids.hold.shown)

    pilot._begin("host room: splash screen")
    await asyncio.to_thread(node.splash, TEAM, own, "direct_media_welcome")
    await pilot._wait("the splash screen shows", lambda: in_call.ids.splash.shown
                      and in_call.ids.splash.texture is not None)
    await asyncio.sleep(0.3)
    await pilot._shot("splash")
    await asyncio.to_thread(node.splash, TEAM, own, None)
    await pilot._wait("the splash screen goes", lambda: not in_call.ids.splash.shown)

    pilot._begin("host room: into a breakout room")
    opened = await asyncio.to_thread(node.open_breakout, TEAM, [own], "Breakout 1")
    await pilot._wait("the breakout shows", lambda: "Breakout 1" in in_call.meeting_pill
                      and not session.snapshot.meeting.moving)
    await pilot._wait("the breakout's video shows", lambda: in_call.ids.remote.has_frame)
    await asyncio.sleep(0.5)
    await pilot._shot("breakout")
    pilot._begin("host room: back from the breakout")
    await asyncio.to_thread(node.close_breakout, TEAM, opened["breakout_uuid"])
    await pilot._wait("back in the meeting", lambda: not in_call.meeting_pill
                      and session.snapshot.meeting.breakout_returned)
    pilot._begin("host room: leave")
    await pilot._leave()
