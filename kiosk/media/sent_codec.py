"""Which video codec a call really sends.

The answer's first listed codec is not it: aiortc negotiates the codecs both
sides can use (an H.264 in packetization-mode 0 is not one of them), orders them
by the kiosk's own preference (KIOSK_VIDEO_CODECS) and its sender encodes with
the first of that list. That list is the transceiver's negotiated send
parameters, read here.
"""

from __future__ import annotations

from aiortc import RTCPeerConnection

from kiosk.media.codec_preferences import HELPER_CODECS


def sent_video_codec(pc: RTCPeerConnection | None) -> str:
    """The codec the video sender encodes with (e.g. "VP8"), or "" before negotiation."""
    if pc is None:
        return ""
    for transceiver in pc.getTransceivers():
        if transceiver.kind != "video" or transceiver.sender.track is None:
            continue
        # aiortc's RTCRtpSender.send() is given these parameters and uses codecs[0].
        for codec in getattr(transceiver, "_codecs", None) or ():
            name = codec.mimeType.split("/", 1)[-1]
            if name.lower() not in HELPER_CODECS:
                return name
    return ""
