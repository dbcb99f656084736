"""The room in a meeting: from the node's token until the leave.

A `JoinedMeeting` is made for every join (it already holds the mute buttons'
state while the PIN or the connection is pending) and started once the node has
given a token. It then keeps the token fresh and reads the event stream
(`MeetingLink`), follows the roster and the conference (`MeetingEvents`), runs
the media call with its reconnects and renegotiations (`CallLifecycle`), sends
the in-meeting controls (`MeetingControls`), and gets back into the meeting
when the node stopped answering (`MeetingRecovery`). Leaving is the session's
job: `take_link()` and `hand_over()` give it what must be stopped and released.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from kiosk.i18n.message import fixed_message
from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError, InvalidToken
from kiosk.infinity.models import ConferenceState, Event, Role, Token
from kiosk.log_redaction import RedactingFilter
from kiosk.media.interface import MediaCall, MediaFactory
from kiosk.session.call_lifecycle import CallLifecycle, call_failure
from kiosk.session.call_setup import CallTarget
from kiosk.session.error_messages import CONNECTION_LOST, MEDIA, MEDIA_LOST, disconnect_message
from kiosk.session.events import MeetingEventHandlers, MeetingEvents
from kiosk.session.extra_events import Refer
from kiosk.session.host_actions import ActionScope, HostActions
from kiosk.session.meeting_controls import (
    BAD_DTMF_NOTICE,
    CONTROL_FAILED_NOTICE,
    CONTROL_TIMEOUT,
    MeetingControls,
    normalise_dtmf,
)
from kiosk.session.meeting_extras import MeetingExtras, MeetingHooks
from kiosk.session.meeting_link import MeetingLink
from kiosk.session.meeting_recovery import MeetingRecovery
from kiosk.session.meeting_view import MeetingViewTracker
from kiosk.session.node_recovery import JoinCredentials
from kiosk.session.roster import NOT_IN_MEETING
from kiosk.session.roster_feed import RosterFeed
from kiosk.session.snapshot_publisher import SnapshotPublisher
from kiosk.session.splash import SplashLoader
from kiosk.session.tasks import SessionTasks
from kiosk.session.teardown import HeldAtNode
from kiosk.session_state import ErrorCode, SessionError, SessionState

log = logging.getLogger(__name__)

S = SessionState
IN_MEETING_STATES = frozenset({S.CONNECTED, S.WAITING_FOR_HOST})
CONTROL_STATES = IN_MEETING_STATES | {S.RECONNECTING}
RECONNECTING_NOTICE = fixed_message("reconnecting", "Reconnecting the call…")


@dataclass(frozen=True)
class MeetingServices:
    """What every meeting of one session uses (made once by the session)."""

    client: InfinityClient
    quick_client: InfinityClient  # short timeouts: hang-ups while replacing a call
    media_factory: MediaFactory | None  # None: control-only, no call
    ice_timeout: float
    redactor: RedactingFilter | None
    publisher: SnapshotPublisher
    tasks: SessionTasks
    spawn: Callable[[Coroutine[Any, Any, None]], None]  # a guarded background job of this join
    end: Callable[[SessionError], Awaitable[None]]  # go to ERROR and leave
    reconnect_give_up: float = 120.0  # seconds to get back in after losing the node
    roster_feed: RosterFeed | None = None  # the batched roster for the UI
    transfer: Callable[[Refer], None] | None = None  # `refer`: the session joins elsewhere
    presentation_mode: str = "stream"  # KIOSK_PRESENTATION


class JoinedMeeting:
    """One join's presence in its meeting, once `start`ed with the node's token."""

    def __init__(self, services: MeetingServices, alias: str) -> None:
        self._services = services
        self._alias = alias
        self.token: Token | None = None
        self._link: MeetingLink | None = None
        self._recovery: MeetingRecovery | None = None
        self._handlers = MeetingEventHandlers(
            roster_changed=self._on_roster_changed,
            conference_changed=self._on_conference_changed,
            disconnected=self._on_disconnected,
            call_disconnected=lambda call_uuid: self.call.node_ended(call_uuid),
            refresh_requested=self._on_refresh_requested,
            server_offer=lambda sdp: services.spawn(self._answer_server_offer(sdp)),
            view_event=lambda event: self.view.handle(event),
            extra=lambda event: self.extras.events.handle(event),
            call_end_reason=lambda reason: self.extras.call_ended_by_node(reason),
        )
        self.extras = MeetingExtras(MeetingHooks(
            publish=lambda view: services.publisher.update(meeting=view),
            spawn=services.spawn,
            relocate=self._relocate,
            renew_media=self._renew_media,
            pause_media=self._pause_media,
            transfer=services.transfer or (lambda _refer: log.info("Transfer not supported")),
            set_role=self._on_role,
            splash=SplashLoader(services.client, alias,
                                lambda: self.token.token if self.token else ""),
        ))
        self.host = HostActions(
            services.client, services.tasks, scope=self._action_scope,
            name_of=self._name_of, on_result=self.extras.action_result,
            on_token_invalid=lambda: services.end(
                SessionError(ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST)),
        )
        self.events = MeetingEvents(self._handlers)
        self.call = CallLifecycle(services.media_factory, services.ice_timeout, services.tasks,
                                  services.quick_client, on_lost=self._on_call_lost,
                                  on_devices_changed=self.publish_devices)
        self.view = MeetingViewTracker(
            services.client, alias, services.presentation_mode, token=lambda: self.token,
            media=lambda: self.call.media, roster=lambda: self.events.roster,
            spawn=services.spawn, publish=lambda view: services.publisher.update(view=view),
        )
        self._controls = MeetingControls(
            services.client, services.tasks,
            on_notice=lambda text: services.publisher.update(notice=text),
            on_token_invalid=lambda: services.end(
                SessionError(ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST)),
        )

    @property
    def media(self) -> MediaCall | None:
        """The current media call, if any."""
        return self.call.media

    @property
    def holds_anything(self) -> bool:
        """True while there is a token, a call or a link to stop or release."""
        return any((self.token, self.call.media, self._link))

    def handle_event(self, event: Event) -> None:
        """Act on one server-sent event (on the loop thread)."""
        self.events.handle(event)

    def publish_devices(self) -> None:
        """Republish the media devices' states."""
        self._services.publisher.update(**self.call.device_fields())

    async def start(self, token: Token, changes: dict[str, Any],
                    credentials: JoinCredentials | None = None) -> None:
        """The node let the room in with `token`: publish CONNECTING (with `changes`), start
        the link and the call, then CONNECTED or WAITING_FOR_HOST. With `credentials`
        (how the room joined) it rejoins by itself when the node stops answering."""
        services = self._services
        if credentials is not None:
            self._recovery = MeetingRecovery(services, credentials, detach=self._detach,
                                             resume=self._resume, settle=self._settle)
        joined_as = (token.conference_name or self._alias, token.role.value,
                     token.current_service_type)
        log.info("Joined %s as %s (%s)", *joined_as)
        services.publisher.update(state=S.CONNECTING, role=token.role.value,
                                  conference_name=token.conference_name, notice="", **changes)
        self._attach(token)
        if self.call.has_media:
            try:
                await self.call.open(self._target())
            except Exception as exc:
                await services.end(call_failure(exc, MEDIA))
                return
        self._settle_state()
        self.view.on_call_changed()
        self.view.on_joined(token)
        # Muted while connecting: the node learns it now.
        await self._restore_node_mutes()

    async def set_muted(self, microphone: bool, muted: bool) -> None:
        """Mute or unmute the microphone (or camera): the call at once, the node if joined."""
        self.call.set_muted(microphone, muted)
        self._services.publisher.update(
            **{"microphone_muted" if microphone else "camera_muted": muted})
        if self.token is not None and self._services.publisher.snapshot.state in CONTROL_STATES:
            await self._controls.set_muted(self._target(), microphone, muted)

    async def send_dtmf(self, raw: str) -> None:
        """Send DTMF digits to the meeting, on the call when there is one."""
        digits = normalise_dtmf(raw)
        if digits is None:
            self._services.publisher.update(notice=BAD_DTMF_NOTICE)
            return
        if self.token is None or self._services.publisher.snapshot.state not in CONTROL_STATES:
            log.info("DTMF ignored: not in a meeting")
            return
        await self._controls.send_dtmf(self._target(), digits, self.call.call_uuid)

    def _attach(self, token: Token) -> None:
        """Take `token` as the join's own: a fresh roster, and a new link started."""
        services = self._services
        self._remember(token)
        self.events = MeetingEvents(self._handlers, own_uuid=token.participant_uuid)
        recovery = self._recovery
        self._link = MeetingLink(services.client, self._alias, token, services.tasks,
                                 on_refreshed=self._on_token_refreshed,
                                 on_event=self.handle_event,
                                 on_ended=lambda error: services.spawn(services.end(error)),
                                 quick_client=services.quick_client,
                                 on_node_lost=recovery.begin if recovery else None)
        self._link.start()

    def _detach(self) -> tuple[MeetingLink | None, HeldAtNode]:
        """Give up the link, the call and the token of a node that stopped answering."""
        return self.take_link(), self.hand_over()

    async def _resume(self, token: Token) -> None:
        """Back in with a new token: a new link, and the call set up again."""
        self._services.publisher.update(role=token.role.value,
                                        conference_name=token.conference_name)
        self._attach(token)
        if self.call.has_media:
            await self.call.open(self._target())

    async def _settle(self) -> None:
        self._settle_state()
        await self._restore_node_mutes()

    async def choose_layout(self, layout: str) -> None:
        """Host rooms: show the meeting in `layout` (the `layout` event confirms it)."""
        token = self.token
        if token is not None and self._services.publisher.snapshot.state in CONTROL_STATES:
            await self._view_action(self.view.layouts.choose(token, layout))

    async def set_live_captions(self, shown: bool) -> None:
        """Turn the room's live captions on or off."""
        token = self.token
        if token is not None and self._services.publisher.snapshot.state in CONTROL_STATES:
            await self._view_action(self.view.captions.set_shown(token, shown))

    async def _view_action(self, action: Awaitable[None]) -> None:
        services = self._services
        try:
            await asyncio.wait_for(action, CONTROL_TIMEOUT)
        except InvalidToken:
            await services.end(SessionError(ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST))
        except (InfinityError, TimeoutError, ValueError) as exc:
            log.warning("A meeting view request failed: %s", type(exc).__name__)
            services.publisher.update(notice=CONTROL_FAILED_NOTICE)

    def take_link(self) -> MeetingLink | None:
        """Give up the link (for the teardown to stop)."""
        link, self._link = self._link, None
        return link

    def hand_over(self) -> HeldAtNode:
        """Give up the token and the call (for the teardown to hang up and release)."""
        self.events.roster.clear()
        self.view.close()
        self.extras.close()
        token, self.token = self.token, None
        return replace(self.call.hand_over(), token=token)

    # ------------------------------------------------------------------ meeting state

    def _settle_state(self) -> None:
        """CONNECTED or WAITING_FOR_HOST, from our roster entry or else the token reply."""
        token = self.token
        if token is None:
            return
        own = self.events.roster.own
        if own is not None and own.service_type not in NOT_IN_MEETING - {"waiting_room"}:
            waiting = own.is_waiting
        else:
            waiting = token.current_service_type == "waiting_room"
        publisher = self._services.publisher
        if waiting:
            publisher.update(state=S.WAITING_FOR_HOST)
        else:
            since = publisher.snapshot.connected_since or time.monotonic()
            publisher.update(state=S.CONNECTED, connected_since=since)

    def _remember(self, token: Token) -> None:
        redactor = self._services.redactor
        if redactor is not None:
            # Each token is blanked in logs for its lifetime; a refreshed one is superseded.
            previous = self.token
            if previous is not None and previous.token != token.token:
                redactor.supersede_secret(previous.token, token.token, lifetime=token.expires)
            else:
                redactor.add_secret(token.token, lifetime=token.expires)
        self.token = token

    def _on_token_refreshed(self, token: Token, refreshes: int) -> None:
        self._remember(token)
        self._services.publisher.update(token_refreshes=refreshes, role=token.role.value)
        self.view.on_joined(token)  # a room made host meanwhile gets the layouts

    def _on_roster_changed(self, own_changed: bool) -> None:
        if own_changed and self._services.publisher.snapshot.state in IN_MEETING_STATES:
            self._settle_state()
        roster = self.events.roster
        own = roster.own
        if own_changed and own is not None:
            self.extras.own_hand(own.buzz_time > 0)
        feed = self._services.roster_feed
        if feed is not None:
            feed.changed()  # the count is published with the batched roster
        elif not roster.syncing:
            self._services.publisher.update(participant_count=roster.count_in_meeting())

    def _on_conference_changed(self, conference: ConferenceState) -> None:
        self._services.publisher.update(locked=conference.locked, started=conference.started)
        self.view.on_conference(conference)
        self.extras.conference_changed(conference)

    def _on_role(self, role: Role) -> None:
        log.info("The node made this room %s", role.value)
        self._services.publisher.update(role=role.value)

    def _action_scope(self) -> ActionScope | None:
        token = self.token
        snapshot = self._services.publisher.snapshot
        if token is None or snapshot.state not in CONTROL_STATES:
            return None
        breakout = self.extras.breakout
        own = (self.extras.breakout_participant or token.participant_uuid) if breakout else (
            token.participant_uuid)
        return ActionScope(alias=self._alias, token=token.token, role=Role.parse(snapshot.role),
                           own_uuid=own, breakout=breakout)

    def _name_of(self, uuid: str) -> str:
        for participant in self.events.roster.participants:
            if participant.uuid == uuid:
                return participant.display_name
        return ""

    def _on_disconnected(self, reason: Any) -> None:
        error = SessionError(ErrorCode.DISCONNECTED_BY_NODE, disconnect_message(reason))
        self._services.spawn(self._services.end(error))

    def _on_refresh_requested(self) -> None:
        if self._link is not None:
            self._link.refresh_now()

    # ------------------------------------------------------------------ the call

    def _target(self) -> CallTarget:
        token = self.token
        assert token is not None  # only called with a token
        breakout = self.extras.breakout
        participant = token.participant_uuid
        if breakout:
            participant = self.extras.breakout_participant or participant
        return CallTarget(self._services.client, self._alias, participant,
                          lambda: self.token or token, breakout=breakout,
                          present="main" if self._services.presentation_mode == "main" else None)

    async def _relocate(self, breakout: str | None, participant: str) -> None:
        """The room follows its host into a breakout room (or back): a new call there."""
        await self._renew_media()

    async def _renew_media(self) -> None:
        """Hang up the call and set up a new one where the room now is (or ERROR)."""
        services = self._services
        if self.token is None or not self.call.has_media:
            return
        try:
            await self.call.replace(self._target())
        except Exception as exc:
            await services.end(call_failure(exc, MEDIA_LOST))
            return
        if self.extras.view.on_hold:
            self._pause_media(True)
        await self._restore_node_mutes()

    def _pause_media(self, held: bool) -> None:
        """On hold nothing is sent; on resume the room's own mute buttons apply again."""
        media = self.call.media
        if media is None:
            return
        mutes = self.call.mutes
        media.set_microphone_muted(held or mutes.microphone)
        media.set_camera_muted(held or mutes.camera)

    def _on_call_lost(self, reason: str) -> None:
        services = self._services
        if services.publisher.snapshot.state not in IN_MEETING_STATES or not self.call.has_media:
            return
        log.warning("Media call lost (%s)", reason)
        previous_state = services.publisher.snapshot.state
        # At once: a second report of the same loss (the node's event and the media's own
        # failure) finds the join reconnecting and is ignored.
        services.publisher.update(state=S.RECONNECTING, notice=RECONNECTING_NOTICE)
        services.spawn(self._media_lost(previous_state))

    async def _media_lost(self, previous_state: SessionState) -> None:
        """A lost call: with a node that still answers, a new call; else the node is lost
        (and `MeetingRecovery` takes over)."""
        link = self._link
        if link is not None and not await link.node_answers():
            return
        await self._reconnect(previous_state)

    async def _reconnect(self, previous_state: SessionState) -> None:
        """Replace a lost call by ONE new call on the same token; give up with MEDIA_FAILED."""
        services = self._services
        if not self.call.may_reconnect():
            await services.end(SessionError(ErrorCode.MEDIA_FAILED, MEDIA_LOST))
            return
        services.publisher.update(state=S.RECONNECTING, notice=RECONNECTING_NOTICE)
        try:
            await self.call.replace(self._target())
        except Exception as exc:
            if self._recovery is not None and self._recovery.active:
                return  # the node was lost meanwhile: the recovery sets up the call
            await services.end(call_failure(exc, MEDIA_LOST))
            return
        log.info("Media call restored (was %s)", previous_state.value)
        self.view.on_call_changed()
        services.publisher.update(notice="")
        self.extras.update(call_end_reason="")
        # Settled before telling the node: a loss of the new call meanwhile must count.
        self._settle_state()
        await self._restore_node_mutes()

    async def _restore_node_mutes(self) -> None:
        if self.token is not None:
            mutes = self.call.mutes
            await self._controls.restore_mutes(self._target(), mutes.microphone, mutes.camera)

    async def _answer_server_offer(self, sdp: str) -> None:
        """Answer a node-initiated renegotiation (new_offer / update_sdp) with `ack {sdp}`."""
        if self.token is None:
            return
        target = self._target()
        answered = await self.call.answer_offer(sdp)
        if answered is not None:
            call_uuid, answer = answered
            await self._controls.ack(target, call_uuid, answer)
