"""Video codec order from KIOSK_VIDEO_CODECS, and which codec the answer chose."""

from __future__ import annotations

from collections.abc import Sequence

from aiortc import RTCRtpCodecCapability, RTCRtpSender
from aiortc.sdp import SessionDescription

# Payloads that are not a codec of their own.
HELPER_CODECS = frozenset({"rtx", "red", "ulpfec", "flexfec-03", "telephone-event"})


def video_codec_preferences(names: Sequence[str]) -> list[RTCRtpCodecCapability]:
    """aiortc's video codecs ordered as `names` (e.g. ("VP8", "H264")), then RTX.

    Codecs not named are left out; names aiortc does not know are ignored.
    """
    capabilities = RTCRtpSender.getCapabilities("video").codecs
    ordered = [
        codec
        for name in names
        for codec in capabilities
        if codec.mimeType.lower() == f"video/{name.lower()}"
    ]
    retransmission = [c for c in capabilities if c.mimeType.lower() == "video/rtx"]
    return ordered + retransmission


def negotiated_codec(sdp: str, kind: str) -> str:
    """The codec an SDP (normally the answer) puts first for `kind`, e.g. "VP8", or ""."""
    try:
        description = SessionDescription.parse(sdp)
    except (ValueError, IndexError, KeyError):
        return ""
    for media in description.media:
        if media.kind != kind or media.port == 0:
            continue
        for codec in media.rtp.codecs:
            name = codec.mimeType.split("/", 1)[-1]
            if name.lower() not in HELPER_CODECS:
                return name
    return ""
