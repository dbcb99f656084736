"""The join state machine: one room joining one Pexip meeting at a time.

`ConferenceSession` drives the Infinity client and the media layer and
publishes a `SessionSnapshot` to its observers after every change. It runs on
one asyncio loop: blocking HTTP goes to worker threads (`asyncio.to_thread`),
the event-stream thread hands its events to the loop with
`call_soon_threadsafe`, and observers are called on the loop thread.

The public actions never raise into the caller (the UI): every failure ends in
a state with a human sentence, and unexpected ones are logged with their
traceback and shown as a generic error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any, TypeVar

from kiosk.call_setup import CallTarget, EstablishedCall, close_quietly, establish_call
from kiosk.config import Settings
from kiosk.error_messages import (
    CONNECTION_LOST,
    INTERNAL,
    MEDIA,
    MEDIA_LOST,
    TOKEN_TIMED_OUT,
    UNREACHABLE,
    describe_error,
    disconnect_message,
)
from kiosk.infinity.client import GUEST_PIN, ClientTimeouts, InfinityClient, NodeStatus
from kiosk.infinity.errors import (
    ConferenceNotFound,
    ExtensionRequired,
    InfinityError,
    InvalidPin,
    InvalidToken,
    NodeUnreachable,
    PinRequired,
)
from kiosk.infinity.event_stream import EventStreamReader
from kiosk.infinity.models import ConferenceState, Event, Participant, Token
from kiosk.log_redaction import RedactingFilter
from kiosk.media.interface import MediaCall, MediaFactory, MediaFailed
from kiosk.pin_policy import (
    EMPTY_PIN_NOTICE,
    INCORRECT_PIN_NOTICE,
    PinPolicy,
    PinRejected,
    cooldown_notice,
    validate_pin,
)
from kiosk.roster import NOT_IN_MEETING, Roster
from kiosk.session_state import (
    DeviceStatus,
    ErrorCode,
    SessionError,
    SessionSnapshot,
    SessionState,
)
from kiosk.token_refresher import TokenRefresher

log = logging.getLogger(__name__)

T = TypeVar("T")

PIN_STATES = frozenset({SessionState.PIN_REQUIRED, SessionState.PIN_OPTIONAL})
JOINING_STATES = PIN_STATES | {SessionState.CONNECTING, SessionState.EXTENSION_REQUIRED}
IN_MEETING_STATES = frozenset({SessionState.CONNECTED, SessionState.WAITING_FOR_HOST})

# Leave must finish within a few seconds even when the node is gone.
LEAVE_STEP_TIMEOUT = 1.5
LEAVE_BUDGET = 3.5
QUICK_TIMEOUTS = ClientTimeouts(connect=LEAVE_STEP_TIMEOUT, read=LEAVE_STEP_TIMEOUT)
CONTROL_TIMEOUT = 10.0
TICK_SECONDS = 1.0
# One new call per media failure; this caps how often that may happen in one meeting.
MAX_RECONNECTS = 3

EXTENSION_PATTERN = re.compile(r"[0-9]{1,20}")
DTMF_PATTERN = re.compile(r"[0-9*#ABCD]{1,32}")
GUEST_NOT_ALLOWED_NOTICE = "This meeting needs a PIN."
BAD_EXTENSION_NOTICE = "A meeting number is 1 to 20 digits."
UNKNOWN_EXTENSION_NOTICE = "No meeting has that number — try again"
BAD_DTMF_NOTICE = "Only 0–9, *, # and A–D can be sent."
RECONNECTING_NOTICE = "Reconnecting the call…"
CONTROL_FAILED_NOTICE = "The meeting service did not confirm the change."


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
        self._media_factory = media_factory
        self._snapshot = SessionSnapshot()
        self._subscribers: list[Callable[[SessionSnapshot], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        # Bumped whenever a join ends: callbacks of an older join are ignored.
        self._generation = 0
        self._alias = ""
        self._extension: str | None = None
        self._pin_state = SessionState.PIN_REQUIRED
        self._pin_policy = self._new_pin_policy()
        self._token: Token | None = None
        self._refresher: TokenRefresher | None = None
        self._stream: EventStreamReader | None = None
        self._roster = Roster()
        self._conference = ConferenceState()
        self._media: MediaCall | None = None
        self._call_uuid: str | None = None
        self._microphone_muted = False
        self._camera_muted = False
        self._reconnects = 0
        self._step: asyncio.Task[None] | None = None
        self._teardown_task: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        # Tasks that must outlive a teardown (releasing a token a cancelled join obtained).
        self._orphans: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ observing

    @property
    def snapshot(self) -> SessionSnapshot:
        """The current state and its details."""
        return self._snapshot

    @property
    def media_call(self) -> MediaCall | None:
        """The current media call (remote and local video for the UI), if any."""
        return self._media

    def subscribe(self, callback: Callable[[SessionSnapshot], None]) -> Callable[[], None]:
        """Call `callback(snapshot)` on the loop thread after every change; returns unsubscribe."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    # ------------------------------------------------------------------ actions

    async def join(self, alias: str) -> None:
        """Start joining `alias`; returns once it is joined, needs input, or failed."""
        await self._guarded(self._join(alias))

    async def submit_pin(self, pin: str) -> None:
        """Send a PIN; "" joins as a guest where the meeting allows it."""
        await self._guarded(self._submit_pin(pin))

    async def join_as_guest(self) -> None:
        """Join without a PIN where only hosts need one."""
        if self._snapshot.state is SessionState.PIN_REQUIRED:
            self._update(notice=GUEST_NOT_ALLOWED_NOTICE)
            return
        await self._guarded(self._submit_pin(""))

    async def submit_extension(self, number: str) -> None:
        """Give a Virtual Reception the number of the meeting to join."""
        await self._guarded(self._submit_extension(number))

    async def send_dtmf(self, digits: str) -> None:
        """Send DTMF tones (0-9 * # A-D) to the meeting, on the call when there is one."""
        await self._guarded(self._send_dtmf(digits))

    async def set_microphone_muted(self, muted: bool) -> None:
        """Mute or unmute the room's microphone (silence sent, and the node told)."""
        await self._guarded(self._set_mute(microphone=True, muted=muted))

    async def set_camera_muted(self, muted: bool) -> None:
        """Turn the room's camera off or on (no picture sent, and the node told)."""
        await self._guarded(self._set_mute(microphone=False, muted=muted))

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
            status = await asyncio.to_thread(self._quick_client.status)
        except Exception as exc:
            log.info("Node check failed: %s", type(exc).__name__)
            return False
        return status is NodeStatus.UP

    # ------------------------------------------------------------------ action bodies

    async def _join(self, alias: str) -> None:
        self._loop = asyncio.get_running_loop()
        if self._snapshot.state not in (SessionState.IDLE, SessionState.ERROR):
            log.info("join ignored: already %s", self._snapshot.state.value)
            return
        await self._finish_teardown()
        alias = alias.strip()
        self._reset_for_join(alias)
        self._update(SessionSnapshot(state=SessionState.CONNECTING, alias=alias))
        self._start_ticker()
        if not alias:
            await self._end(describe_error(ConferenceNotFound("empty alias")))
            return
        await self._run_step(self._request_token(pin=None))

    async def _submit_pin(self, raw: str) -> None:
        state = self._snapshot.state
        if state not in PIN_STATES:
            log.info("PIN ignored: the session is %s", state.value)
            return
        if self._step_running():
            log.info("PIN ignored: the previous one is still being checked")
            return
        try:
            pin = validate_pin(raw)
            if pin:
                self._pin_policy.check_allowed()
        except PinRejected as exc:
            self._update(notice=str(exc), **self._cooldown_fields())
            return
        if not pin:
            if state is SessionState.PIN_REQUIRED:
                self._update(notice=EMPTY_PIN_NOTICE)
                return
            pin = GUEST_PIN
        elif self._redactor is not None:
            self._redactor.add_secret(pin)
        self._update(notice="")
        await self._run_step(self._request_token(pin=pin))

    async def _submit_extension(self, raw: str) -> None:
        if self._snapshot.state is not SessionState.EXTENSION_REQUIRED:
            log.info("Meeting number ignored: the session is %s", self._snapshot.state.value)
            return
        if self._step_running():
            return
        number = raw.strip().removesuffix("#").strip()
        if not EXTENSION_PATTERN.fullmatch(number):
            self._update(notice=BAD_EXTENSION_NOTICE)
            return
        self._extension = number
        self._update(notice="")
        await self._run_step(self._request_token(pin=None))

    async def _send_dtmf(self, raw: str) -> None:
        digits = raw.strip().upper()
        if not DTMF_PATTERN.fullmatch(digits):
            self._update(notice=BAD_DTMF_NOTICE)
            return
        token = self._token
        if token is None or self._snapshot.state not in (*IN_MEETING_STATES,
                                                          SessionState.RECONNECTING):
            log.info("DTMF ignored: not in a meeting")
            return
        # The digits themselves are not logged: people type PINs of far-end IVRs with them.
        await self._control_call(
            self._client.dtmf, self._alias, token.participant_uuid, token.token, digits,
            call_uuid=self._call_uuid,
        )

    async def _set_mute(self, microphone: bool, muted: bool) -> None:
        media = self._media
        if microphone:
            self._microphone_muted = muted
            self._update(microphone_muted=muted)
            if media is not None:
                media.set_microphone_muted(muted)
            action = self._client.mute if muted else self._client.unmute
        else:
            self._camera_muted = muted
            self._update(camera_muted=muted)
            if media is not None:
                media.set_camera_muted(muted)
            action = self._client.video_muted if muted else self._client.video_unmuted
        token = self._token
        if token is not None and self._snapshot.state in (*IN_MEETING_STATES,
                                                          SessionState.RECONNECTING):
            await self._control_call(action, self._alias, token.participant_uuid, token.token)

    async def _leave(self) -> None:
        self._loop = asyncio.get_running_loop()
        state = self._snapshot.state
        if state is SessionState.IDLE and not self._has_resources():
            return
        # DISCONNECTING while there is something to hang up or release; a join that has
        # no token yet just stops.
        if state is not SessionState.ERROR and (
                self._token is not None or state not in JOINING_STATES):
            self._update(state=SessionState.DISCONNECTING, notice="")
        await self._finish_teardown(start=True)
        self._update(SessionSnapshot())

    # ------------------------------------------------------------------ joining steps

    async def _request_token(self, pin: str | None) -> None:
        """Ask for a token (first try, with a PIN or a meeting number); act on the reply."""
        try:
            token = await self._abandonable(
                self._client.request_token, self._alias, self.settings.display_name,
                pin, self._extension,
            )
        except PinRequired as exc:
            self._on_pin_prompt(exc.guest_allowed, pin)
            return
        except InvalidPin:
            self._on_wrong_pin()
            return
        except ExtensionRequired as exc:
            # Asked again after a number was given: that number was not accepted.
            notice = UNKNOWN_EXTENSION_NOTICE if self._extension else ""
            self._extension = None
            self._update(state=SessionState.EXTENSION_REQUIRED, extension_kind=exc.kind,
                         notice=notice)
            return
        except ConferenceNotFound:
            if self._extension is not None:
                # A mistyped meeting number: let the people in the room type it again.
                self._extension = None
                self._update(state=SessionState.EXTENSION_REQUIRED,
                             notice=UNKNOWN_EXTENSION_NOTICE)
                return
            raise
        await self._on_token(token)

    def _on_pin_prompt(self, guest_allowed: bool, pin_sent: str | None) -> None:
        if pin_sent == GUEST_PIN:
            # Guests were refused after all: only a PIN will do.
            self._pin_state = SessionState.PIN_REQUIRED
            self._update(state=SessionState.PIN_REQUIRED, notice=GUEST_NOT_ALLOWED_NOTICE)
        elif pin_sent is not None:
            # A node may answer a wrong PIN with the prompt again.
            self._on_wrong_pin()
        else:
            self._pin_state = (SessionState.PIN_OPTIONAL if guest_allowed
                               else SessionState.PIN_REQUIRED)
            self._update(state=self._pin_state, notice="")

    def _on_wrong_pin(self) -> None:
        started = self._pin_policy.record_wrong()
        log.info("Wrong PIN (%d in a row)", self._pin_policy.wrong_in_a_row)
        notice = (cooldown_notice(self._pin_policy.cooldown_remaining()) if started
                  else INCORRECT_PIN_NOTICE)
        self._update(state=self._pin_state, notice=notice,
                     pin_attempts=self._pin_policy.wrong_in_a_row, **self._cooldown_fields())

    async def _on_token(self, token: Token) -> None:
        if self._redactor is not None:
            self._redactor.add_secret(token.token)
        self._token = token
        self._pin_policy.record_accepted()
        self._roster = Roster(token.participant_uuid)
        log.info("Joined %s as %s (%s)", token.conference_name or self._alias,
                 token.role.value, token.current_service_type)
        self._update(state=SessionState.CONNECTING, role=token.role.value,
                     conference_name=token.conference_name, notice="", pin_attempts=0,
                     pin_cooldown_remaining=0.0)
        self._start_refresher(token)
        self._start_event_stream()
        if self._media_factory is not None:
            try:
                call = await establish_call(self._call_target(), self._media_factory,
                                            self.settings.ice_timeout_seconds,
                                            self._microphone_muted, self._camera_muted)
            except Exception as exc:
                await self._end(self._media_error(exc, MEDIA))
                return
            self._adopt_call(call)
        self._settle_meeting_state()
        # Muted while connecting: the node learns it now.
        await self._restore_node_mutes()

    # ------------------------------------------------------------------ in the meeting

    def _settle_meeting_state(self) -> None:
        """CONNECTED or WAITING_FOR_HOST, from our roster entry or else the token reply."""
        token = self._token
        if token is None:
            return
        own = self._roster.own
        if own is not None and own.service_type not in NOT_IN_MEETING - {"waiting_room"}:
            waiting = own.is_waiting
        else:
            waiting = token.current_service_type == "waiting_room"
        if waiting:
            self._update(state=SessionState.WAITING_FOR_HOST)
        else:
            since = self._snapshot.connected_since or time.monotonic()
            self._update(state=SessionState.CONNECTED, connected_since=since)

    def _start_refresher(self, token: Token) -> None:
        generation = self._generation
        alias = self._alias
        self._refresher = TokenRefresher(
            token,
            refresh=lambda current: self._client.refresh_token(alias, current),
            on_refreshed=lambda new: self._on_token_refreshed(generation, new),
            on_expired=lambda error: self._on_token_expired(generation, error),
        )
        self._refresher.start()

    def _on_token_refreshed(self, generation: int, token: Token) -> None:
        if generation != self._generation:
            return
        if self._redactor is not None:
            self._redactor.add_secret(token.token)
        self._token = token
        refreshes = self._refresher.refreshes if self._refresher else 0
        self._update(token_refreshes=refreshes, role=token.role.value)

    def _on_token_expired(self, generation: int, error: BaseException | None) -> None:
        if generation != self._generation:
            return
        message = CONNECTION_LOST if isinstance(error, InvalidToken) else TOKEN_TIMED_OUT
        self._spawn(self._end(SessionError(ErrorCode.TOKEN_EXPIRED, message)))

    def _start_event_stream(self) -> None:
        generation = self._generation
        self._stream = EventStreamReader(
            self._client,
            self._alias,
            token_provider=self._current_token_string,
            on_event=lambda event: self._post(self._on_event, generation, event),
            on_connected=lambda up: self._post(self._on_stream_connected, generation, up),
            on_fatal=lambda exc: self._post(self._on_stream_fatal, generation, exc),
        )
        self._stream.start()

    def _current_token_string(self) -> str:
        token = self._token
        return token.token if token is not None else ""

    def _on_stream_connected(self, generation: int, up: bool) -> None:
        if generation == self._generation:
            log.info("Event stream %s", "connected" if up else "lost; reconnecting")

    def _on_stream_fatal(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        error = (SessionError(ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST)
                 if isinstance(exc, InvalidToken) else describe_error(exc))
        self._spawn(self._end(error))

    def handle_event(self, event: Event) -> None:
        """Act on one server-sent event of the current meeting (on the loop thread).

        The event stream feeds this; a malformed or unknown event is logged and ignored.
        """
        self._on_event(self._generation, event)

    def _on_event(self, generation: int, event: Event) -> None:
        if generation != self._generation:
            return
        try:
            self._dispatch_event(event)
        except (InfinityError, KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("Ignored a malformed %r event (%s)", getattr(event, "name", "?"),
                        type(exc).__name__)
        except Exception:
            log.exception("Ignored an event that could not be handled")

    def _dispatch_event(self, event: Event) -> None:
        name, data = event.name, event.data
        if name == "participant_sync_begin":
            self._roster.begin_sync()
        elif name == "participant_sync_end":
            self._roster.end_sync()
            self._on_roster_changed()
        elif name in ("participant_create", "participant_update"):
            participant = Participant.parse(data)
            self._roster.upsert(participant)
            self._on_roster_changed(participant)
        elif name == "participant_delete":
            self._roster.remove(_text_field(data, "uuid"))
            self._on_roster_changed()
        elif name == "conference_update":
            self._conference = ConferenceState.parse(data, self._conference)
            self._update(locked=self._conference.locked, started=self._conference.started)
        elif name == "disconnect":
            reason = data.get("reason", "") if isinstance(data, dict) else ""
            log.info("The node disconnected this room")
            self._spawn(self._end(SessionError(ErrorCode.DISCONNECTED_BY_NODE,
                                               disconnect_message(str(reason)))))
        elif name == "call_disconnected":
            if _text_field(data, "call_uuid") == self._call_uuid:
                self._on_call_lost("the node ended the call")
        elif name == "refresh_token":
            if self._refresher is not None:
                self._refresher.refresh_now()
        elif name in ("new_offer", "update_sdp"):
            sdp = _text_field(data, "sdp")
            if sdp.strip():
                self._spawn(self._answer_server_offer(sdp))
        else:
            log.debug("Ignored event %r", name)

    def _on_roster_changed(self, changed: Participant | None = None) -> None:
        is_own = changed is not None and changed.uuid == self._roster.own_uuid
        if is_own and self._snapshot.state in IN_MEETING_STATES:
            self._settle_meeting_state()
        if not self._roster.syncing:
            self._update(participant_count=self._roster.count_in_meeting())

    # ------------------------------------------------------------------ media

    def _call_target(self) -> CallTarget:
        token = self._token
        assert token is not None  # only called with a token
        return CallTarget(self._client, self._alias, token.participant_uuid,
                          lambda: self._token or token)

    def _adopt_call(self, call: EstablishedCall) -> None:
        self._media = call.media
        self._call_uuid = call.call_uuid
        # The buttons may have been pressed while the call was being set up.
        call.media.set_microphone_muted(self._microphone_muted)
        call.media.set_camera_muted(self._camera_muted)
        generation = self._generation
        call.media.on_failure(
            lambda reason: self._post(self._on_media_failure, generation, call.call_uuid, reason)
        )
        # Optional beyond MediaCall: show a camera unplugged mid-call at once, not at the tick.
        on_device_change = getattr(call.media, "on_device_change", None)
        if callable(on_device_change):
            on_device_change(lambda: self._post(self._on_devices_changed, generation))
        self._update(**self._device_fields())

    def _on_devices_changed(self, generation: int) -> None:
        if generation == self._generation:
            self._update(**self._device_fields())

    def _on_media_failure(self, generation: int, call_uuid: str, reason: str) -> None:
        if generation == self._generation and call_uuid == self._call_uuid:
            self._on_call_lost(reason)

    def _on_call_lost(self, reason: str) -> None:
        if self._snapshot.state not in IN_MEETING_STATES or self._media_factory is None:
            return
        log.warning("Media call lost (%s)", reason)
        self._spawn(self._reconnect())

    async def _reconnect(self) -> None:
        """Replace a lost call by ONE new call on the same token; give up with MEDIA_FAILED."""
        if self._reconnects >= MAX_RECONNECTS:
            await self._end(SessionError(ErrorCode.MEDIA_FAILED, MEDIA_LOST))
            return
        self._reconnects += 1
        previous_state = self._snapshot.state
        self._update(state=SessionState.RECONNECTING, notice=RECONNECTING_NOTICE)
        await self._drop_call()
        try:
            assert self._media_factory is not None
            call = await establish_call(self._call_target(), self._media_factory,
                                        self.settings.ice_timeout_seconds,
                                        self._microphone_muted, self._camera_muted)
        except Exception as exc:
            await self._end(self._media_error(exc, MEDIA_LOST))
            return
        self._adopt_call(call)
        log.info("Media call restored (was %s)", previous_state.value)
        self._update(notice="")
        await self._restore_node_mutes()
        self._settle_meeting_state()

    async def _drop_call(self) -> None:
        """Hang up the current call (best effort) and close its media."""
        media, call_uuid, token = self._media, self._call_uuid, self._token
        self._media, self._call_uuid = None, None
        if call_uuid and token is not None:
            with contextlib.suppress(Exception):
                await self._quick(self._quick_client.disconnect_call, self._alias,
                                  token.participant_uuid, call_uuid, token.token)
        if media is not None:
            await close_quietly(media)

    async def _restore_node_mutes(self) -> None:
        token = self._token
        if token is None:
            return
        if self._microphone_muted:
            await self._control_call(self._client.mute, self._alias, token.participant_uuid,
                                     token.token)
        if self._camera_muted:
            await self._control_call(self._client.video_muted, self._alias,
                                     token.participant_uuid, token.token)

    async def _answer_server_offer(self, sdp: str) -> None:
        """Answer a node-initiated renegotiation (new_offer / update_sdp) with `ack {sdp}`."""
        media, call_uuid, token = self._media, self._call_uuid, self._token
        if media is None or call_uuid is None or token is None:
            log.info("Ignored a server offer: no media call")
            return
        try:
            answer = await media.answer_offer(sdp)
        except MediaFailed as exc:
            self._on_call_lost(str(exc) or "renegotiation failed")
            return
        await self._control_call(self._client.ack, self._alias, token.participant_uuid,
                                 call_uuid, token.token, sdp=answer)

    @staticmethod
    def _media_error(exc: Exception, media_message: str) -> SessionError:
        """How a failed call setup is reported: node problems as such, the rest as media."""
        if isinstance(exc, (NodeUnreachable, InvalidToken)):
            return describe_error(exc)
        if not isinstance(exc, (MediaFailed, InfinityError)):
            log.error("The media layer failed unexpectedly", exc_info=exc)
        else:
            log.warning("Media call failed: %s", type(exc).__name__)
        return SessionError(ErrorCode.MEDIA_FAILED, media_message)

    def _device_fields(self) -> dict[str, DeviceStatus]:
        media = self._media
        if media is None:
            return {}
        return {"camera": media.camera, "microphone": media.microphone, "speaker": media.speaker}

    # ------------------------------------------------------------------ ending

    async def _end(self, error: SessionError) -> None:
        """Go to ERROR with `error` and release everything. The first error wins."""
        if self._snapshot.state in (SessionState.IDLE, SessionState.DISCONNECTING,
                                    SessionState.ERROR):
            return
        log.info("Session ended: %s", error.code.value)
        self._update(state=SessionState.ERROR, error=error, notice="",
                     pin_cooldown_remaining=0.0)
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
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LEAVE_BUDGET
        self._generation += 1
        current = asyncio.current_task()
        step, self._step = self._step, None
        tasks = [t for t in (step, self._ticker, *self._background) if t and t is not current]
        self._ticker = None
        self._background.clear()
        for task in tasks:
            task.cancel()
        refresher, self._refresher = self._refresher, None
        if refresher is not None:
            await refresher.stop()
        stream, self._stream = self._stream, None
        stopping = (loop.create_task(asyncio.to_thread(stream.stop, LEAVE_STEP_TIMEOUT))
                    if stream is not None else None)
        if tasks:
            # Give cancelled steps the chance to close what they opened (a half-built call).
            await asyncio.wait(tasks, timeout=max(0.1, deadline - loop.time()))
        media, call_uuid, token = self._media, self._call_uuid, self._token
        self._media, self._call_uuid, self._token = None, None, None
        if call_uuid and token is not None:
            await self._best_effort(deadline, self._quick_client.disconnect_call, self._alias,
                                    token.participant_uuid, call_uuid, token.token)
        if media is not None:
            await close_quietly(media, timeout=max(0.1, deadline - loop.time()))
        if token is not None:
            await self._best_effort(deadline, self._quick_client.release_token, self._alias,
                                    token.token)
        if stopping is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stopping, max(0.1, deadline - loop.time()))
        self._roster.clear()
        log.info("Left the meeting")

    async def _best_effort(self, deadline: float, fn: Callable[..., object], *args: Any) -> None:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            return
        try:
            await asyncio.wait_for(asyncio.to_thread(fn, *args),
                                   min(remaining, LEAVE_STEP_TIMEOUT + 0.5))
        except Exception as exc:
            log.info("While leaving: %s failed (%s)", getattr(fn, "__name__", "call"),
                     type(exc).__name__)

    def _has_resources(self) -> bool:
        return any((self._token, self._media, self._stream, self._refresher, self._step))

    # ------------------------------------------------------------------ plumbing

    def _reset_for_join(self, alias: str) -> None:
        self._generation += 1
        self._alias = alias
        self._extension = None
        self._pin_state = SessionState.PIN_REQUIRED
        self._pin_policy = self._new_pin_policy()
        self._roster = Roster()
        self._conference = ConferenceState()
        self._microphone_muted = False
        self._camera_muted = False
        self._reconnects = 0

    def _new_pin_policy(self) -> PinPolicy:
        return PinPolicy(max_attempts=self.settings.pin_max_attempts,
                         cooldown_seconds=self.settings.pin_cooldown_seconds)

    def _step_running(self) -> bool:
        return self._step is not None and not self._step.done()

    async def _run_step(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a join step as its own task: cancel() stops it, and it goes on to a settled
        state even if the caller stops waiting for it (shielded)."""
        step = self._step = asyncio.get_running_loop().create_task(coro, name="session-step")
        try:
            await asyncio.shield(step)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # our caller is being cancelled, not just the step
        finally:
            if self._step is step:
                self._step = None

    async def _abandonable(self, fn: Callable[..., Token], *args: Any) -> Token:
        """Run request_token in a thread; if the join is cancelled meanwhile, release its token."""
        call = asyncio.ensure_future(asyncio.to_thread(fn, *args))
        alias = self._alias
        try:
            return await asyncio.shield(call)
        except asyncio.CancelledError:
            call.add_done_callback(lambda done: self._release_abandoned(alias, done))
            raise

    def _release_abandoned(self, alias: str, done: asyncio.Future[Token]) -> None:
        if done.cancelled() or done.exception() is not None:
            return
        token = done.result()
        log.info("Releasing the token of a cancelled join")
        task = asyncio.get_running_loop().create_task(
            self._best_effort(asyncio.get_running_loop().time() + LEAVE_BUDGET,
                              self._quick_client.release_token, alias, token.token))
        self._orphans.add(task)
        task.add_done_callback(self._orphans.discard)

    async def _quick(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.wait_for(asyncio.to_thread(fn, *args, **kwargs),
                                      LEAVE_STEP_TIMEOUT + 0.5)

    async def _control_call(self, fn: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """A control request in the meeting; failures are noticed, an invalid token ends it."""
        try:
            await asyncio.wait_for(asyncio.to_thread(fn, *args, **kwargs), CONTROL_TIMEOUT)
        except InvalidToken:
            await self._end(SessionError(ErrorCode.TOKEN_EXPIRED, CONNECTION_LOST))
        except (InfinityError, TimeoutError) as exc:
            log.warning("%s failed: %s", getattr(fn, "__name__", "request"), type(exc).__name__)
            notice = UNREACHABLE if isinstance(exc, NodeUnreachable) else CONTROL_FAILED_NOTICE
            self._update(notice=notice)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a background job of this join; teardown cancels it."""
        task = asyncio.get_running_loop().create_task(self._guarded(coro))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        """Hand a callback from another thread (event stream) to the loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(fn, *args)

    async def _guarded(self, coro: Awaitable[None], shielded: bool = False) -> None:
        """Run an action; any unexpected failure becomes ERROR INTERNAL, never an exception."""
        self._loop = asyncio.get_running_loop()
        try:
            await coro
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
        except Exception as exc:
            known = isinstance(exc, InfinityError)
            if known:
                log.info("Join failed: %s", type(exc).__name__)
            else:
                log.exception("Unexpected failure in the session")
            error = describe_error(exc) if known else SessionError(ErrorCode.INTERNAL, INTERNAL)
            if shielded:
                # leave/cancel must still end in IDLE.
                self._update(SessionSnapshot())
            else:
                await self._end(error)

    def _start_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="session-tick")

    async def _tick(self) -> None:
        """Once a second: the PIN cool-down countdown and the media devices' states."""
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                changes: dict[str, Any] = dict(self._device_fields())
                if self._snapshot.state in PIN_STATES and self._snapshot.pin_cooldown_remaining:
                    changes.update(self._cooldown_fields())
                    remaining = changes["pin_cooldown_remaining"]
                    changes["notice"] = cooldown_notice(remaining) if remaining else ""
                    if not remaining:
                        changes["pin_attempts"] = 0
                self._update(**changes)
            except Exception:
                log.exception("Session tick failed")

    def _cooldown_fields(self) -> dict[str, float]:
        remaining = self._pin_policy.cooldown_remaining()
        # Whole seconds: observers get one update per second, not a stream of tiny changes.
        return {"pin_cooldown_remaining": float(-(-remaining // 1)) if remaining > 0 else 0.0}

    def _update(self, snapshot: SessionSnapshot | None = None, **changes: Any) -> None:
        """Replace the snapshot and tell the observers, if anything changed."""
        new = replace(snapshot or self._snapshot, **changes)
        if new == self._snapshot:
            return
        if new.state is not self._snapshot.state:
            log.info("State %s -> %s", self._snapshot.state.value, new.state.value)
        self._snapshot = new
        for callback in list(self._subscribers):
            try:
                callback(new)
            except Exception:
                log.exception("A session observer failed")


def _text_field(data: Any, key: str) -> str:
    """A string field of an event payload; a wrong shape is a ValueError (ignored event)."""
    if not isinstance(data, dict):
        raise ValueError(f"event data is not an object (looking for {key!r})")
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key!r} is not a string")
    return value
