"""Requests the room makes while in a meeting: mute, camera, DTMF and the SDP `ack`.

Each runs in a worker thread and is given up after CONTROL_TIMEOUT. A refused
or lost request becomes a notice on the screen; an invalid token ends the
meeting. A request can outlast its meeting (the room left meanwhile): its
outcome is then ignored, so it never touches the next join.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from kiosk.i18n.message import fixed_message
from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError, InvalidToken, NodeUnreachable
from kiosk.session.call_setup import CallTarget
from kiosk.session.error_messages import UNREACHABLE
from kiosk.session.tasks import SessionTasks

log = logging.getLogger(__name__)

CONTROL_TIMEOUT = 10.0
DTMF_PATTERN = re.compile(r"[0-9*#ABCD]{1,32}")
BAD_DTMF_NOTICE = fixed_message("dtmf_invalid", "Only 0–9, *, # and A–D can be sent.")
CONTROL_FAILED_NOTICE = fixed_message("control_not_confirmed",
                                "The meeting service did not confirm the change.")


def normalise_dtmf(raw: str) -> str | None:
    """The DTMF digits to send (upper case), or None when they are not 0-9 * # A-D."""
    digits = raw.strip().upper()
    return digits if DTMF_PATTERN.fullmatch(digits) else None


class MeetingControls:
    """Sends control requests for the participant of a `CallTarget`.

    `on_notice(text)` shows why a request failed; `on_token_invalid()` ends the
    meeting when the node no longer accepts the token.
    """

    def __init__(
        self,
        client: InfinityClient,
        tasks: SessionTasks,
        on_notice: Callable[[str], None],
        on_token_invalid: Callable[[], Awaitable[None]],
    ) -> None:
        self._client = client
        self._tasks = tasks
        self._on_notice = on_notice
        self._on_token_invalid = on_token_invalid
        # Each tone is its own request in a worker thread; unserialised, quick key presses
        # reach the meeting in any order. asyncio.Lock wakes its waiters in arrival order.
        self._dtmf_order = asyncio.Lock()

    async def set_muted(self, target: CallTarget, microphone: bool, muted: bool) -> None:
        """Tell the node the microphone (or the camera) is muted or not."""
        client = self._client
        if microphone:
            action = client.mute if muted else client.unmute
        else:
            action = client.video_muted if muted else client.video_unmuted
        await self._send(action, target.alias, target.participant_uuid, target.token().token,
                         breakout=target.breakout)

    async def restore_mutes(self, target: CallTarget, microphone: bool, camera: bool) -> None:
        """Tell the node what is muted (after connecting or reconnecting)."""
        if microphone:
            await self.set_muted(target, microphone=True, muted=True)
        if camera:
            await self.set_muted(target, microphone=False, muted=True)

    async def send_dtmf(self, target: CallTarget, digits: str, call_uuid: str | None) -> None:
        """Send DTMF digits (already normalised), on the call when there is one."""
        # The digits themselves are not logged: people type PINs of far-end IVRs with them.
        async with self._dtmf_order:
            await self._send(self._client.dtmf, target.alias, target.participant_uuid,
                             target.token().token, digits, call_uuid=call_uuid,
                             breakout=target.breakout)

    async def ack(self, target: CallTarget, call_uuid: str, sdp: str) -> None:
        """Answer the node's renegotiation offer with our SDP."""
        await self._send(self._client.ack, target.alias, target.participant_uuid, call_uuid,
                         target.token().token, sdp=sdp, breakout=target.breakout)

    async def _send(self, fn: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        generation = self._tasks.generation
        try:
            await asyncio.wait_for(asyncio.to_thread(fn, *args, **kwargs), CONTROL_TIMEOUT)
        except InvalidToken:
            if generation == self._tasks.generation:
                await self._on_token_invalid()
        except (InfinityError, TimeoutError) as exc:
            log.warning("%s failed: %s", getattr(fn, "__name__", "request"), type(exc).__name__)
            if generation == self._tasks.generation:
                self._on_notice(UNREACHABLE if isinstance(exc, NodeUnreachable)
                                else CONTROL_FAILED_NOTICE)
