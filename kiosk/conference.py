"""The join state machine: one room joining one Pexip meeting at a time.

`ConferenceSession` drives the Infinity client and the media layer and
publishes a `SessionSnapshot` to its observers after every change. It runs on
one asyncio loop: blocking HTTP goes to worker threads (`asyncio.to_thread`),
the event-stream thread hands its events to the loop, and observers are called
on the loop thread.

The public actions never raise into the caller (the UI): every failure ends in
a state with a human sentence, and unexpected ones are logged with their
traceback and shown as a generic error.

This module runs the join (token, PIN, meeting number) and the leave; the
pieces it drives do one job each: `SnapshotPublisher` (the snapshot and its
observers), `SessionTasks` (join step, background jobs and callbacks of the
current join), `PinEntry` (the PIN prompt and cool-down), `JoinedMeeting`
(everything once the node let the room in: link, events, call, controls) and
`session_teardown` (leaving within a time budget).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from kiosk.config import ConfigError, Settings, validate_node_url
from kiosk.i18n.message import fixed_message
from kiosk.infinity.client import InfinityClient, NodeStatus
from kiosk.infinity.errors import (
    ConferenceNotFound,
    ExtensionRequired,
    InfinityError,
    InvalidPin,
    PinRequired,
    ServiceUnavailable,
)
from kiosk.infinity.models import Event
from kiosk.log_redaction import RedactingFilter
from kiosk.media.interface import MediaCall, MediaFactory, VideoOutput
from kiosk.session.busy_wait import busy_wait_seconds, count_down
from kiosk.session.error_messages import describe_error
from kiosk.session.extra_events import Refer
from kiosk.session.join_request import JoinRequest
from kiosk.session.joined_meeting import JoinedMeeting, MeetingServices
from kiosk.session.node_recovery import JoinCredentials
from kiosk.session.pin_entry import GUEST_NOT_ALLOWED_NOTICE, PIN_STATES, PinEntry
from kiosk.session.pin_policy import PinRejected, validate_pin
from kiosk.session.room_view import HostAction, RosterView
from kiosk.session.roster_feed import RosterFeed
from kiosk.session.snapshot_publisher import SnapshotPublisher
from kiosk.session.tasks import SessionTasks
from kiosk.session.teardown import QUICK_TIMEOUTS, release_abandoned_token, tear_down
from kiosk.session_state import ErrorCode, SessionError, SessionSnapshot, SessionState

log = logging.getLogger(__name__)

S = SessionState
JOINING_STATES = PIN_STATES | {S.CONNECTING, S.EXTENSION_REQUIRED}
TICK_SECONDS = 1.0
EXTENSION_PATTERN = re.compile(r"[0-9]{1,20}")
BAD_EXTENSION_NOTICE = fixed_message("extension_invalid", "A meeting number is 1 to 20 digits.")
UNKNOWN_EXTENSION_NOTICE = fixed_message("extension_unknown",
                                         "No meeting has that number — try again")
BAD_NODE_MESSAGE = fixed_message("node_address_invalid",
                                 "This meeting's node address is not a valid https address")


class ConferenceSession:
    """Joins a Pexip meeting, keeps it alive and leaves it; observers see every step.

    `client` defaults to an `InfinityClient` for `settings.node`; without
    `media_factory` the room joins control-only (a token and the event stream,
    no call). `redactor` learns every PIN and token so logs never show them.
    """

    def __init__(
        self,
        settings: Settings,
        client: InfinityClient | None = None,
        media_factory: MediaFactory | None = None,
        redactor: RedactingFilter | None = None,
    ) -> None:
        self.settings = settings
        self._redactor = redactor
        on_secret = redactor.add_secret if redactor is not None else None
        if client is None:
            client = InfinityClient(settings.node, verify=settings.tls_verify, on_secret=on_secret)
            # Leaving and status checks use short timeouts so they never hang the room.
            self._quick_client = InfinityClient(
                settings.node, verify=settings.tls_verify, timeouts=QUICK_TIMEOUTS,
                on_secret=on_secret,
            )
        else:
            self._quick_client = client
        self._client = client
        # The configured node's clients; a join request naming another node gets its own.
        self._home_clients = (client, self._quick_client)
        self._other_node: tuple[str, InfinityClient, InfinityClient] | None = None
        self._prefilled = JoinRequest("")
        self._publisher = SnapshotPublisher()
        self._tasks = SessionTasks()
        self._roster_feed = RosterFeed(self._roster_source)
        # One snapshot per roster batch, not per event: a burst must not redraw the screen.
        self._roster_feed.subscribe(self._on_roster_view)
        self._services = MeetingServices(
            client=client, quick_client=self._quick_client, media_factory=media_factory,
            ice_timeout=settings.ice_timeout_seconds, redactor=redactor,
            publisher=self._publisher, tasks=self._tasks, spawn=self._spawn, end=self._end,
            reconnect_give_up=settings.reconnect_give_up_seconds,
            presentation_mode=settings.presentation,
            roster_feed=self._roster_feed, transfer=self._on_refer,
        )
        self._alias = ""
        self._extension: str | None = None
        self._one_time_token: str | None = None  # of a transfer (`refer`) into this meeting
        self._transfer_task: asyncio.Task[None] | None = None
        self._pin = self._new_pin_entry()
        self._meeting = JoinedMeeting(self._services, self._alias)
        self._teardown_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ observing

    @property
    def snapshot(self) -> SessionSnapshot:
        """The current state and its details."""
        return self._publisher.snapshot

    @property
    def media_call(self) -> MediaCall | None:
        """The current media call (remote and local video for the UI), if any."""
        return self._meeting.media

    @property
    def presentation_video(self) -> VideoOutput | None:
        """The slides being presented (slides m-line or JPEGs), or None."""
        return self._meeting.view.presentation_video

    def subscribe(self, callback: Callable[[SessionSnapshot], None]) -> Callable[[], None]:
        """Call `callback(snapshot)` on the loop thread after every change; returns unsubscribe."""
        return self._publisher.subscribe(callback)

    @property
    def roster(self) -> RosterView:
        """The meeting's roster as last published (batched)."""
        return self._roster_feed.view

    def subscribe_roster(self, callback: Callable[[RosterView], None]) -> Callable[[], None]:
        """Call `callback(view)` on the loop thread after each batch of roster changes."""
        return self._roster_feed.subscribe(callback)

    # ------------------------------------------------------------------ actions

    async def join(self, alias: str) -> None:
        """Start joining `alias`; returns once it is joined, needs input, or failed."""
        await self.join_request(JoinRequest(alias))

    async def join_request(self, request: JoinRequest) -> None:
        """Join `request.alias`, on `request.node` when given, answering the node's PIN and
        meeting-number questions from the request once each; returns like `join`."""
        await self._guarded(self._join(request))

    async def submit_pin(self, pin: str) -> None:
        """Send a PIN; "" joins as a guest where the meeting allows it."""
        await self._guarded(self._submit_pin(pin))

    async def join_as_guest(self) -> None:
        """Join without a PIN where only hosts need one."""
        if self.snapshot.state is S.PIN_REQUIRED:
            self._update(notice=GUEST_NOT_ALLOWED_NOTICE)
            return
        await self._guarded(self._submit_pin(""))

    async def submit_extension(self, number: str) -> None:
        """Give a Virtual Reception the number of the meeting to join."""
        await self._guarded(self._submit_extension(number))

    async def send_dtmf(self, digits: str) -> None:
        """Send DTMF tones (0-9 * # A-D) to the meeting, on the call when there is one."""
        await self._guarded(self._meeting.send_dtmf(digits))

    async def set_microphone_muted(self, muted: bool) -> None:
        """Mute or unmute the room's microphone (silence sent, and the node told)."""
        await self._guarded(self._meeting.set_muted(microphone=True, muted=muted))

    async def set_camera_muted(self, muted: bool) -> None:
        """Turn the room's camera off or on (no picture sent, and the node told)."""
        await self._guarded(self._meeting.set_muted(microphone=False, muted=muted))

    async def choose_layout(self, layout: str) -> None:
        """A host room shows the meeting in `layout` (one of `snapshot.view.layouts`)."""
        await self._guarded(self._meeting.choose_layout(layout))

    async def set_live_captions(self, shown: bool) -> None:
        """Turn the meeting's live captions on or off for this room."""
        await self._guarded(self._meeting.set_live_captions(shown))

    async def host_action(self, action: HostAction, participant_uuid: str = "") -> None:
        """A control from the participants panel (admit, lock, mute, remove, hands, help);
        its result is published in `snapshot.meeting.last_result`."""
        await self._guarded(self._meeting.host.run(action, participant_uuid))

    async def leave(self) -> None:
        """Leave the meeting (or acknowledge an error); ends in IDLE within a few seconds."""
        await self._guarded(self._leave(), shielded=True)

    async def cancel(self) -> None:
        """Abort a join in progress (connecting, PIN or meeting-number step) and go IDLE.

        A token already obtained is released. In a meeting, this is `leave()`.
        """
        await self._guarded(self._leave(), shielded=True)

    async def check_node(self) -> bool:
        """True when the node answers `GET /status` as an Infinity node that is up."""
        try:
            status = await asyncio.to_thread(self._home_clients[1].status)
        except Exception as exc:
            log.info("Node check failed: %s", type(exc).__name__)
            return False
        return status is NodeStatus.UP

    def handle_event(self, event: Event) -> None:
        """Act on one server-sent event of the current meeting (on the loop thread).

        The event stream feeds this; a malformed or unknown event is logged and ignored.
        """
        self._meeting.handle_event(event)

    # ------------------------------------------------------------------ action bodies

    async def _join(self, request: JoinRequest) -> None:
        if self.snapshot.state not in (S.IDLE, S.ERROR):
            log.info("join ignored: already %s", self.snapshot.state.value)
            return
        await self._finish_teardown()
        alias = request.alias.strip()
        if self._redactor is not None and request.pin:
            self._redactor.add_secret(request.pin)
        self._reset_for_join(alias)
        self._prefilled = request
        self._update(SessionSnapshot(state=S.CONNECTING, alias=alias))
        # Polled as well: not every media layer reports device changes.
        self._tasks.start_ticker(lambda: self._meeting.publish_devices(), TICK_SECONDS)
        if not alias:
            await self._end(describe_error(ConferenceNotFound("empty alias")))
            return
        try:
            self._use_node(request.node)
        except ConfigError:
            await self._end(SessionError(ErrorCode.NODE_UNREACHABLE, BAD_NODE_MESSAGE))
            return
        await self._tasks.run_step(self._request_token(pin=None))

    async def _submit_pin(self, raw: str) -> None:
        state = self.snapshot.state
        if state not in PIN_STATES:
            log.info("PIN ignored: the session is %s", state.value)
            return
        if self._tasks.step_running:
            log.info("PIN ignored: the previous one is still being checked")
            return
        try:
            pin = self._pin.pin_to_send(raw, state)
        except PinRejected as exc:
            self._update(**self._pin.refused(exc))
            return
        if self._redactor is not None:
            self._redactor.add_secret(pin)
        self._update(notice="")
        await self._tasks.run_step(self._request_token(pin=pin))

    async def _submit_extension(self, raw: str) -> None:
        if self.snapshot.state is not S.EXTENSION_REQUIRED:
            log.info("Meeting number ignored: the session is %s", self.snapshot.state.value)
            return
        if self._tasks.step_running:
            return
        number = raw.strip().removesuffix("#").strip()
        if not EXTENSION_PATTERN.fullmatch(number):
            self._update(notice=BAD_EXTENSION_NOTICE)
            return
        self._extension = number
        self._update(notice="")
        await self._tasks.run_step(self._request_token(pin=None))

    async def _leave(self) -> None:
        state = self.snapshot.state
        if state is S.IDLE and not self._has_resources():
            return
        # DISCONNECTING while there is something to hang up or release; a join that has
        # no token yet just stops.
        holds_token = self._meeting.token is not None
        if state is not S.ERROR and (holds_token or state not in JOINING_STATES):
            self._update(state=S.DISCONNECTING, notice="")
        await self._finish_teardown(start=True)
        self._update(SessionSnapshot())

    # ------------------------------------------------------------------ joining steps

    async def _request_token(self, pin: str | None) -> None:
        """Ask for a token (first try, with a PIN or a meeting number); act on the reply.

        A busy node (429, or Retry-After) is asked again after the wait it names
        (capped, see `busy_wait`), the room told, for up to `reconnect_give_up_seconds`."""
        busy_until = asyncio.get_running_loop().time() + self.settings.reconnect_give_up_seconds
        while True:
            try:
                token = await self._tasks.run_abandonable(
                    self._client.request_token, self._alias, self.settings.display_name,
                    pin, self._extension, self._one_time_token, True,
                    # A join cancelled meanwhile must not leave a participant behind.
                    on_abandoned=partial(release_abandoned_token, self._quick_client,
                                         self._alias),
                )
            except ServiceUnavailable as exc:
                wait = busy_wait_seconds(exc)
                if wait is None or asyncio.get_running_loop().time() + wait > busy_until:
                    raise
                log.info("The meeting service is busy; trying again in %.0f s", wait)
                await count_down(wait, lambda text: self._update(notice=text))
                self._update(notice="")
                continue
            except (PinRequired, InvalidPin, ExtensionRequired, ConferenceNotFound) as exc:
                await self._on_join_question(exc, pin)
                return
            break
        credentials = JoinCredentials(self._alias, self.settings.display_name, pin,
                                      self._extension)
        await self._meeting.start(token, self._pin.accepted(), credentials)

    async def _on_join_question(self, error: InfinityError, pin: str | None) -> None:
        """The node asks for a PIN or a meeting number, or the meeting was not found."""
        if isinstance(error, PinRequired):
            prefilled = self._take_prefilled_pin() if pin is None else None
            if prefilled is not None:
                self._pin.on_prompt(error.guest_allowed, None)  # where a wrong PIN returns to
                await self._request_token(pin=prefilled)
                return
            self._show_pin_prompt(self._pin.on_prompt(error.guest_allowed, pin))
        elif isinstance(error, InvalidPin):
            self._show_pin_prompt(self._pin.on_wrong())
        elif isinstance(error, ExtensionRequired):
            prefilled = self._take_prefilled_extension() if self._extension is None else None
            if prefilled is not None:
                self._extension = prefilled
                await self._request_token(pin=pin)
                return
            # Asked again after a number was given: that number was not accepted.
            notice = UNKNOWN_EXTENSION_NOTICE if self._extension else ""
            self._extension = None
            self._update(state=S.EXTENSION_REQUIRED, extension_kind=error.kind, notice=notice)
        elif self._extension is not None:
            # Not found after a number: a mistyped meeting number; let the room type it again.
            self._extension = None
            self._update(state=S.EXTENSION_REQUIRED, notice=UNKNOWN_EXTENSION_NOTICE)
        else:
            raise error

    def _take_prefilled_pin(self) -> str | None:
        """The join request's PIN, once (None when it has none, or it is malformed)."""
        raw, self._prefilled = self._prefilled.pin, dataclasses.replace(self._prefilled, pin=None)
        if not raw:
            return None
        try:
            return validate_pin(raw) or None
        except PinRejected:
            log.info("The meeting's PIN from its invitation is not a PIN; asking the room")
            return None

    def _take_prefilled_extension(self) -> str | None:
        """The join request's meeting number, once (None when it has none or a bad one)."""
        raw = self._prefilled.extension
        self._prefilled = dataclasses.replace(self._prefilled, extension=None)
        number = (raw or "").strip().removesuffix("#").strip()
        return number if EXTENSION_PATTERN.fullmatch(number) else None

    def _use_node(self, node: str | None) -> None:
        """Make this join talk to `node` (None or the configured node: the usual clients)."""
        home_client, home_quick = self._home_clients
        if node is None or node.rstrip("/") == self.settings.node.rstrip("/"):
            client, quick = home_client, home_quick
        else:
            url = validate_node_url(node, key="node")
            if self._other_node is None or self._other_node[0] != url:
                self._close_other_node()
                on_secret = self._redactor.add_secret if self._redactor is not None else None
                self._other_node = (
                    url,
                    InfinityClient(url, verify=self.settings.tls_verify, on_secret=on_secret),
                    InfinityClient(url, verify=self.settings.tls_verify,
                                   timeouts=QUICK_TIMEOUTS, on_secret=on_secret),
                )
                log.info("This meeting is on another node: %s", url)
            _, client, quick = self._other_node
        if client is not self._client:
            self._client, self._quick_client = client, quick
            self._services = dataclasses.replace(self._services, client=client,
                                                 quick_client=quick)
            self._meeting = JoinedMeeting(self._services, self._alias)

    def _close_other_node(self) -> None:
        if self._other_node is not None:
            _, client, quick = self._other_node
            self._other_node = None
            client.close()
            quick.close()

    def _show_pin_prompt(self, changes: dict[str, Any]) -> None:
        self._update(**changes)
        # PINs are refused during a cool-down, so one running now has just started.
        if self._pin.cooling_down:
            self._spawn(self._pin.count_down(self._update, shown=self._shows_cooldown))

    def _shows_cooldown(self) -> bool:
        snapshot = self.snapshot
        return snapshot.state in PIN_STATES and bool(snapshot.pin_cooldown_remaining)

    # ------------------------------------------------------------------ ending

    async def _end(self, error: SessionError) -> None:
        """Go to ERROR with `error` and release everything. The first error wins."""
        if self.snapshot.state in (S.IDLE, S.DISCONNECTING, S.ERROR):
            return
        log.info("Session ended: %s", error.code.value)
        self._update(state=S.ERROR, error=error, notice="", pin_cooldown_remaining=0.0)
        await self._finish_teardown(start=True)

    async def _finish_teardown(self, start: bool = False) -> None:
        """Run (or wait for) the teardown of the current join; never cancelled half-way."""
        task = self._teardown_task
        if start and (task is None or task.done()):
            task = self._teardown_task = asyncio.get_running_loop().create_task(
                self._teardown(), name="session-teardown")
        if task is not None:
            await asyncio.shield(task)

    async def _teardown(self) -> None:
        """Stop every task, hang up, release the token: bounded by LEAVE_BUDGET in total."""
        cancelled = self._tasks.stop_all()
        meeting = self._meeting
        try:
            await tear_down(cancelled, meeting.take_link(), meeting.hand_over,
                            self._quick_client, self._alias)
        except Exception:
            # Never fails: a failed teardown task would fail every later join that waits for it.
            log.exception("Leaving the meeting did not finish cleanly")
        self._roster_feed.reset()
        log.info("Left the meeting")

    # ------------------------------------------------------------------ transfers

    def _on_refer(self, refer: Refer) -> None:
        """`refer`: the node moves the room to another meeting (a one-time token to join it)."""
        if self._redactor is not None:
            self._redactor.add_secret(refer.token)
        if self._transfer_task is not None and not self._transfer_task.done():
            log.info("A transfer is already in progress")
            return
        self._transfer_task = asyncio.get_running_loop().create_task(
            self._guarded(self._transfer(refer)), name="session-transfer")

    async def _transfer(self, refer: Refer) -> None:
        """Leave this meeting and join `refer.alias` with the one-time token ("Moving to…")."""
        if self.snapshot.state not in (S.CONNECTED, S.WAITING_FOR_HOST, S.RECONNECTING):
            return
        target = refer.alias
        self._update(state=S.CONNECTING, transfer_target=target, notice="")
        await self._finish_teardown(start=True)
        if self.snapshot.state is not S.CONNECTING or self.snapshot.transfer_target != target:
            return  # the room left (Cancel) while the old meeting was being released
        self._reset_for_join(target)
        self._prefilled = JoinRequest(target)  # the old meeting's PIN is not for this one
        self._one_time_token = refer.token
        self._update(SessionSnapshot(state=S.CONNECTING, alias=target, transfer_target=target))
        self._tasks.start_ticker(lambda: self._meeting.publish_devices(), TICK_SECONDS)
        await self._tasks.run_step(self._request_token(pin=None))

    # ------------------------------------------------------------------ roster

    def _roster_source(self) -> tuple[tuple[Any, ...], str, bool]:
        roster = self._meeting.events.roster
        return roster.participants, roster.own_uuid, roster.syncing

    def _on_roster_view(self, view: RosterView) -> None:
        if self.snapshot.state is not S.IDLE:
            self._update(participant_count=len(view.in_meeting))

    def _has_resources(self) -> bool:
        return self._meeting.holds_anything or self._tasks.has_step

    # ------------------------------------------------------------------ plumbing

    def _reset_for_join(self, alias: str) -> None:
        self._tasks.next_generation()
        self._alias = alias
        self._extension = None
        self._one_time_token = None
        self._pin = self._new_pin_entry()
        self._meeting = JoinedMeeting(self._services, alias)

    def _new_pin_entry(self) -> PinEntry:
        return PinEntry(self.settings.pin_max_attempts, self.settings.pin_cooldown_seconds)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a background job of this join (guarded); teardown cancels it."""
        self._tasks.spawn(self._guarded(coro), on_cancelled=coro.close)

    async def _guarded(self, coro: Awaitable[None], shielded: bool = False) -> None:
        """Run an action; any unexpected failure becomes ERROR INTERNAL, never an exception."""
        self._tasks.bind_loop()
        try:
            await coro
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
        except Exception as exc:
            if isinstance(exc, InfinityError):
                log.info("Join failed: %s", type(exc).__name__)
            else:
                log.exception("Unexpected failure in the session")
            error = describe_error(exc)  # anything unknown is ERROR INTERNAL
            if shielded:
                # leave/cancel must still end in IDLE.
                self._update(SessionSnapshot())
            else:
                await self._end(error)

    def _update(self, snapshot: SessionSnapshot | None = None, **changes: Any) -> None:
        self._publisher.update(snapshot, **changes)
