"""Setting up one WebRTC call for a participant that already holds a token.

The Pexip order: open the sources and make an offer, POST it to `calls`, apply
the answer, `ack`, then wait for ICE/DTLS. Blocking HTTP runs in worker
threads. On any failure or cancellation the half-built call is closed, so the
caller never holds a dangling peer connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.models import Token
from kiosk.media.interface import MediaCall, MediaFactory, NewCallNeeded

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 2.0


@dataclass(frozen=True)
class EstablishedCall:
    """A call that is up: the media object and the node's call uuid."""

    media: MediaCall
    call_uuid: str
    participant_uuid: str = ""
    breakout: str | None = None


@dataclass(frozen=True)
class CallTarget:
    """Where the call goes: the alias of the conference and how to read the newest token."""

    client: InfinityClient
    alias: str
    participant_uuid: str
    token: Callable[[], Token]
    present: str | None = None  # "main": the node puts slides into the main video
    breakout: str | None = None  # the breakout room the call is made in (None: the meeting)


async def establish_call(
    target: CallTarget,
    factory: MediaFactory,
    ice_timeout: float,
    microphone_muted: bool = False,
    camera_muted: bool = False,
    video_codecs: tuple[str, ...] | None = None,
) -> EstablishedCall:
    """Offer, `calls`, answer, `ack`, wait for ICE; return the call once media flows.

    Raises MediaFailed (media side) or an InfinityError (the node refused a step); a
    NewCallNeeded from the answer carries the node's `call_uuid` (to hang it up).
    `video_codecs` replaces the configured video codecs for this call.
    """
    token = target.token()
    options = {"video_codecs": video_codecs} if video_codecs is not None else {}
    media = factory.create_call(
        token.ice_servers,
        bandwidth_out_kbps=token.bandwidth_out,
        relay_only=token.use_relay_candidates_only,
        bandwidth_in_kbps=token.bandwidth_in,
        **options,
    )
    try:
        # Mute before the offer so not one frame of a muted camera leaves the room.
        media.set_microphone_muted(microphone_muted)
        media.set_camera_muted(camera_muted)
        offer = await media.create_offer()
        answer = await asyncio.to_thread(
            target.client.calls, target.alias, target.participant_uuid, target.token().token, offer,
            present=target.present, breakout=target.breakout,
        )
        try:
            await media.apply_answer(answer.sdp)
        except NewCallNeeded as exc:
            exc.call_uuid = answer.call_uuid
            raise
        await asyncio.to_thread(
            target.client.ack,
            target.alias,
            target.participant_uuid,
            answer.call_uuid,
            target.token().token,
            None,
            target.breakout,
        )
        await media.wait_connected(ice_timeout)
    except BaseException:
        await close_quietly(media)
        raise
    log.info("Media call is up")
    return EstablishedCall(media=media, call_uuid=answer.call_uuid,
                           participant_uuid=target.participant_uuid, breakout=target.breakout)


async def close_quietly(media: MediaCall, timeout: float = CLOSE_TIMEOUT) -> None:
    """Close a call within `timeout`; never raises (it runs on every way out)."""
    try:
        # Shielded: a cancelled caller stops waiting, the close itself goes on.
        await asyncio.wait_for(asyncio.shield(media.close()), timeout)
    except Exception:
        log.warning("Closing the media call did not finish cleanly", exc_info=True)
