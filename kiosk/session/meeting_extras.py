"""The meeting's events beyond roster and call, and the `MeetingView` they make.

`MeetingExtras` belongs to one `JoinedMeeting`. It follows breakouts (the room
follows its host into a breakout room and back: its call moves), hold, splash
screens, messages, role changes, `peer_disconnect` and transfers (`refer`), and
publishes the resulting `MeetingView` in the session snapshot. What needs the
call or the session is done through `MeetingHooks`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from kiosk.infinity.models import ConferenceState, Role
from kiosk.session.extra_events import (
    BreakoutMove,
    ExtraEvents,
    ExtraHandlers,
    ReceivedMessage,
    Refer,
    SplashRequest,
)
from kiosk.session.room_view import ActionResult, ChatMessage, MeetingView
from kiosk.session.splash import SplashLoader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeetingHooks:
    """What the extras need from their meeting and session (all on the loop)."""

    publish: Callable[[MeetingView], None]
    spawn: Callable[[Coroutine[Any, Any, None]], None]
    # Move the call: into breakout room `breakout` as participant `participant`, or back
    # (None, ""); a new call is set up there.
    relocate: Callable[[str | None, str], Coroutine[Any, Any, None]]
    renew_media: Callable[[], Coroutine[Any, Any, None]]  # peer_disconnect: a new call
    pause_media: Callable[[bool], None]  # on hold: send nothing (True) / resume (False)
    transfer: Callable[[Refer], None]  # refer: join another meeting
    set_role: Callable[[Role], None]
    splash: SplashLoader


class MeetingExtras:
    """One meeting's breakouts, hold, splash screen, messages and role; see the module."""

    def __init__(self, hooks: MeetingHooks) -> None:
        self._hooks = hooks
        self.view = MeetingView()
        self._breakouts: dict[str, str] = {}  # breakout uuid -> the room's uuid in it
        self.breakout: str | None = None  # the breakout room the room is in
        self._messages = 0
        self._splash_timer: asyncio.TimerHandle | None = None
        self._splash_wanted = ""  # the screen key last asked for ("" = none)
        self.events = ExtraEvents(ExtraHandlers(
            refer=self._refer,
            breakout_begin=self._breakout_begin,
            breakout_refer=self._breakout_refer,
            breakout_end=self._breakout_end,
            on_hold=self._on_hold,
            splash_screen=self._splash_screen,
            peer_disconnect=self._peer_disconnect,
            message=self._message,
            role=hooks.set_role,
        ))

    @property
    def breakout_participant(self) -> str:
        """The room's participant uuid in the breakout room it is in ("" if none known)."""
        return self._breakouts.get(self.breakout or "", "")

    # ------------------------------------------------------------------ view

    def update(self, **changes: Any) -> None:
        """Change the view and publish it (if anything changed)."""
        view = replace(self.view, **changes)
        if view != self.view:
            self.view = view
            self._hooks.publish(view)

    def conference_changed(self, conference: ConferenceState) -> None:
        """conference_update: the lock and guests-muted flags."""
        self.update(locked=conference.locked, guests_muted=conference.guests_muted)

    def own_hand(self, raised: bool) -> None:
        """This room's roster entry says its hand is raised (or not)."""
        self.update(hand_raised=raised)

    def action_result(self, result: ActionResult) -> None:
        """Show the result of a panel action."""
        self.update(last_result=result)

    def call_ended_by_node(self, reason: str) -> None:
        """call_disconnected: keep the node's reason to show while the call is restored."""
        self.update(call_end_reason=" ".join(reason.split())[:160])

    def close(self) -> None:
        """The meeting is over: stop the splash timer."""
        if self._splash_timer is not None:
            self._splash_timer.cancel()
            self._splash_timer = None

    # ------------------------------------------------------------------ events

    def _refer(self, refer: Refer) -> None:
        log.info("The node transfers the room to another meeting")
        self._hooks.transfer(refer)

    def _breakout_begin(self, move: BreakoutMove) -> None:
        if move.participant_uuid:
            self._breakouts[move.breakout_uuid] = move.participant_uuid

    def _breakout_refer(self, move: BreakoutMove) -> None:
        participant = self._breakouts.get(move.breakout_uuid, "")
        log.info("Moving into a breakout room")
        self.breakout = move.breakout_uuid
        self.update(breakout_name=move.name or move.breakout_uuid[:8], breakout_returned=False,
                    moving=True)
        self._hooks.spawn(self._move(move.breakout_uuid, participant))

    def _breakout_end(self, move: BreakoutMove) -> None:
        self._breakouts.pop(move.breakout_uuid, None)
        if move.breakout_uuid != self.breakout:
            return  # another breakout room ended; the room is not in it
        log.info("The breakout room ended: back to the main meeting")
        self.breakout = None
        self.update(breakout_name="", breakout_returned=True, moving=True)
        self._hooks.spawn(self._move(None, ""))

    async def _move(self, breakout: str | None, participant: str) -> None:
        try:
            await self._hooks.relocate(breakout, participant)
        finally:
            if self.breakout == breakout:
                self.update(moving=False)

    def _on_hold(self, held: bool) -> None:
        log.info("The call is %s", "on hold" if held else "resumed")
        self._hooks.pause_media(held)
        self.update(on_hold=held)

    def _splash_screen(self, request: SplashRequest | None) -> None:
        if self._splash_timer is not None:
            self._splash_timer.cancel()
            self._splash_timer = None
        if request is None:
            self._splash_wanted = ""
            self.update(splash=None)
            return
        self._splash_wanted = request.key
        self._hooks.spawn(self._show_splash(request))

    async def _show_splash(self, request: SplashRequest) -> None:
        screen = await self._hooks.splash.load(request.key)
        if self._splash_wanted != request.key:
            return  # cleared or replaced while it was being fetched
        self.update(splash=screen)
        if request.duration:
            self._splash_timer = asyncio.get_running_loop().call_later(
                request.duration, self._splash_expired, request.key)

    def _splash_expired(self, key: str) -> None:
        self._splash_timer = None
        if self._splash_wanted == key:
            self._splash_wanted = ""
            self.update(splash=None)

    def _peer_disconnect(self) -> None:
        log.info("The node tore the media down: setting it up again")
        self.update(moving=True)
        self._hooks.spawn(self._renew())

    async def _renew(self) -> None:
        try:
            await self._hooks.renew_media()
        finally:
            self.update(moving=False)

    def _message(self, message: ReceivedMessage) -> None:
        self._messages += 1
        self.update(last_message=ChatMessage(sender=message.sender, text=message.text,
                                             direct=message.direct, number=self._messages))
