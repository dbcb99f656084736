"""What in a node's SDP aiortc cannot follow on the live call, found before it is applied.

- An offer that restarts ICE (new `ice-ufrag`/`ice-pwd`, e.g. after a network
  change at the node's side): aiortc keeps its old ICE session and would answer
  with the old credentials, so media never recovers. A new call (a new peer
  connection) recovers it.
- A video description whose only H.264 is packetization-mode 0 (single NAL
  units): aiortc sends H.264 in mode 1 only. With nothing else to send in the
  same m-line the description cannot be used; a new call that offers VP8 only
  lets the node pick a codec both sides can send.

Both raise `NewCallNeeded`, which the session answers with a new call.
"""

from __future__ import annotations

import re

from aiortc.codecs import CODECS
from aiortc.rtcpeerconnection import find_common_codecs
from aiortc.sdp import SessionDescription

from kiosk.media.interface import NewCallNeeded

_ICE_LINE = re.compile(r"^a=ice-(ufrag|pwd):(\S+)\s*$", re.MULTILINE)
FALLBACK_VIDEO_CODECS = ("VP8",)


def ice_credentials(sdp: str) -> frozenset[tuple[str, str]]:
    """Every (kind, value) of the `a=ice-ufrag` / `a=ice-pwd` lines of `sdp`."""
    return frozenset((kind, value) for kind, value in _ICE_LINE.findall(sdp))


def restarts_ice(current_remote_sdp: str | None, offer_sdp: str) -> bool:
    """True when `offer_sdp` carries ICE credentials other than the current remote ones."""
    if not current_remote_sdp:
        return False
    offered = ice_credentials(offer_sdp)
    return bool(offered) and offered != ice_credentials(current_remote_sdp)


def has_unsendable_video(sdp: str) -> bool:
    """True when a video m-line offers H.264 with packetization-mode 0 and nothing aiortc
    can send (find_common_codecs is aiortc's own negotiation)."""
    try:
        description = SessionDescription.parse(sdp)
    except (ValueError, IndexError, KeyError):
        return False  # malformed: aiortc's own error says so when it is applied
    for media in description.media:
        if media.kind != "video" or media.port == 0:
            continue
        h264_mode0 = [
            codec for codec in media.rtp.codecs
            if codec.mimeType.lower() == "video/h264"
            and str(codec.parameters.get("packetization-mode", "0")) == "0"
        ]
        if h264_mode0 and not find_common_codecs(CODECS["video"], media.rtp.codecs):
            return True
    return False


def check_answer(answer_sdp: str) -> None:
    """Raise NewCallNeeded when the node's answer has no video codec aiortc can send."""
    if has_unsendable_video(answer_sdp):
        raise NewCallNeeded(
            "the node answered with H.264 in packetization-mode 0 only, which this kiosk "
            "cannot send; calling again offering VP8 only",
            video_codecs=FALLBACK_VIDEO_CODECS,
        )


def check_offer(current_remote_sdp: str | None, offer_sdp: str) -> None:
    """Raise NewCallNeeded when a node's re-offer cannot be answered on this call."""
    if restarts_ice(current_remote_sdp, offer_sdp):
        raise NewCallNeeded(
            "the node restarted ICE (new ice-ufrag/ice-pwd), which aiortc cannot follow on "
            "a live connection; setting up a new call"
        )
    if has_unsendable_video(offer_sdp):
        raise NewCallNeeded(
            "the node offered H.264 in packetization-mode 0 only, which this kiosk cannot "
            "send; calling again offering VP8 only",
            video_codecs=FALLBACK_VIDEO_CODECS,
        )
