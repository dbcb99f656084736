"""The media call of one join: set up, watched, renegotiated, replaced and handed over.

`CallLifecycle` owns the current `MediaCall` and its node call uuid, and what the
room wants muted (the buttons may be pressed before, during or between calls:
every call gets the current mute state). The session decides what a lost call
means (a reconnect, or the end); this module does the media side of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError, InvalidToken, NodeUnreachable
from kiosk.media.interface import MediaCall, MediaFactory, MediaFailed, NewCallNeeded
from kiosk.session.call_setup import CallTarget, EstablishedCall, close_quietly, establish_call
from kiosk.session.error_messages import describe_error
from kiosk.session.tasks import SessionTasks
from kiosk.session.teardown import QUICK_CALL_TIMEOUT, HeldAtNode
from kiosk.session_state import DeviceStatus, ErrorCode, SessionError

log = logging.getLogger(__name__)

# One new call per media failure; this caps how often that may happen in one meeting.
MAX_RECONNECTS = 3


@dataclass
class Mutes:
    """What the room wants muted."""

    microphone: bool = False
    camera: bool = False


class CallLifecycle:
    """The current media call of one join (none without a media factory).

    `on_lost(reason)` is called (on the loop, while the join lasts) when the current
    call fails after it was up; `on_devices_changed()` when its devices' states may
    have changed. `hang_up_client` should use short timeouts (it runs while replacing).
    """

    def __init__(
        self,
        factory: MediaFactory | None,
        ice_timeout: float,
        tasks: SessionTasks,
        hang_up_client: InfinityClient,
        on_lost: Callable[[str], None],
        on_devices_changed: Callable[[], None],
    ) -> None:
        self._factory = factory
        self._ice_timeout = ice_timeout
        self._tasks = tasks
        self._hang_up_client = hang_up_client
        self._on_lost = on_lost
        self._on_devices_changed = on_devices_changed
        self.mutes = Mutes()
        self.media: MediaCall | None = None
        self.call_uuid: str | None = None
        # Where the current call was made: a breakout room (or None) and the room's uuid there.
        self.breakout: str | None = None
        self.participant: str | None = None
        self._reconnects = 0
        # Set when the node proved it cannot take the configured codecs (H.264 mode 0 only):
        # every later call of this join offers only these.
        self._video_codecs: tuple[str, ...] | None = None

    @property
    def has_media(self) -> bool:
        """True when this join makes calls (it has a media factory)."""
        return self._factory is not None

    def set_muted(self, microphone: bool, muted: bool) -> None:
        """Mute or unmute the microphone (or the camera) now and on every later call."""
        if microphone:
            self.mutes.microphone = muted
            if self.media is not None:
                self.media.set_microphone_muted(muted)
        else:
            self.mutes.camera = muted
            if self.media is not None:
                self.media.set_camera_muted(muted)

    def device_fields(self) -> dict[str, DeviceStatus]:
        """The snapshot fields of the call's devices (none without a call)."""
        media = self.media
        if media is None:
            return {}
        return {"camera": media.camera, "microphone": media.microphone, "speaker": media.speaker}

    async def open(self, target: CallTarget) -> None:
        """Set up a call and make it the current one; raises as `establish_call` does."""
        assert self._factory is not None, "open() needs a media factory"
        try:
            call = await self._establish(target)
        except NewCallNeeded as exc:
            if not self._take_codecs(exc):
                raise
            # The node's answer cannot be sent to: hang that call up, and call once more.
            log.warning("Media: %s", exc)
            if exc.call_uuid:
                await self._hang_up(target, exc.call_uuid, target.participant_uuid,
                                    target.breakout)
            call = await self._establish(target)
        self._adopt(call)

    async def _establish(self, target: CallTarget) -> EstablishedCall:
        assert self._factory is not None
        return await establish_call(target, self._factory, self._ice_timeout,
                                    self.mutes.microphone, self.mutes.camera,
                                    video_codecs=self._video_codecs)

    def _take_codecs(self, exc: NewCallNeeded) -> bool:
        """Remember the codecs a new call must offer; False if that changes nothing."""
        if exc.video_codecs is None or exc.video_codecs == self._video_codecs:
            return False
        self._video_codecs = exc.video_codecs
        return True

    async def _hang_up(self, target: CallTarget, call_uuid: str, participant: str,
                       breakout: str | None) -> None:
        """Best effort, quickly: the call `call_uuid` of `participant` (in `breakout`) ends."""
        token = target.token()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                asyncio.to_thread(self._hang_up_client.disconnect_call, target.alias,
                                  participant, call_uuid, token.token, breakout),
                QUICK_CALL_TIMEOUT)

    def may_reconnect(self) -> bool:
        """Count one reconnect; False once MAX_RECONNECTS were used up."""
        if self._reconnects >= MAX_RECONNECTS:
            return False
        self._reconnects += 1
        return True

    async def replace(self, target: CallTarget) -> None:
        """Hang up the current call (best effort), close it, and open a new one."""
        media, call_uuid = self.media, self.call_uuid
        self.media, self.call_uuid = None, None
        if call_uuid:
            await self._hang_up(target, call_uuid, self.participant or target.participant_uuid,
                                self.breakout)
        if media is not None:
            await close_quietly(media)
        await self.open(target)

    async def answer_offer(self, sdp: str) -> tuple[str, str] | None:
        """Answer a node-initiated offer on the current call: (call uuid, answer SDP), or
        None without a call. A failed renegotiation is reported as a lost call."""
        media, call_uuid = self.media, self.call_uuid
        if media is None or call_uuid is None:
            log.info("Ignored a server offer: no media call")
            return None
        try:
            answer = await media.answer_offer(sdp)
        except NewCallNeeded as exc:
            # Not answered: the old ICE (or an unsendable codec) would strand the media.
            self._take_codecs(exc)
            self._lost(call_uuid, str(exc))
            return None
        except MediaFailed as exc:
            self._lost(call_uuid, str(exc) or "renegotiation failed")
            return None
        return call_uuid, answer

    def node_ended(self, call_uuid: str) -> None:
        """The node says it ended `call_uuid` (a `call_disconnected` event)."""
        self._lost(call_uuid, "the node ended the call")

    def hand_over(self) -> HeldAtNode:
        """Give up the current call (for the teardown to hang up and close)."""
        held = HeldAtNode(media=self.media, call_uuid=self.call_uuid, breakout=self.breakout,
                          participant=self.participant)
        self.media, self.call_uuid = None, None
        return held

    def _adopt(self, call: EstablishedCall) -> None:
        self.media = call.media
        self.breakout = call.breakout
        self.participant = call.participant_uuid
        self.call_uuid = call.call_uuid
        # The buttons may have been pressed while the call was being set up.
        call.media.set_microphone_muted(self.mutes.microphone)
        call.media.set_camera_muted(self.mutes.camera)
        call.media.on_failure(
            self._tasks.from_thread(lambda reason: self._lost(call.call_uuid, reason)))
        # Optional beyond MediaCall: show a camera unplugged mid-call at once, not at the tick.
        on_device_change = getattr(call.media, "on_device_change", None)
        if callable(on_device_change):
            on_device_change(self._tasks.from_thread(self._on_devices_changed))
        self._on_devices_changed()

    def _lost(self, call_uuid: str, reason: str) -> None:
        if call_uuid == self.call_uuid:
            self._on_lost(reason)


def call_failure(exc: Exception, media_message: str) -> SessionError:
    """How a failed call set-up is reported: node problems as such, the rest as media."""
    if isinstance(exc, (NodeUnreachable, InvalidToken)):
        return describe_error(exc)
    if not isinstance(exc, (MediaFailed, InfinityError)):
        log.error("The media layer failed unexpectedly", exc_info=exc)
    else:
        log.warning("Media call failed: %s", type(exc).__name__)
    return SessionError(ErrorCode.MEDIA_FAILED, media_message)
