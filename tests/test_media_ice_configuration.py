"""ICE servers come only from the token; codec order from the settings."""

from __future__ import annotations

import re

from aiortc.rtcconfiguration import RTCIceTransportPolicy

from kiosk.config import Settings
from kiosk.infinity.models import IceServer
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.media.codec_preferences import negotiated_codec, video_codec_preferences
from kiosk.media.ice_configuration import rtc_configuration

TOKEN_STUN = IceServer(urls=("stun:stun.node.example:3478",))
TOKEN_TURN = IceServer(urls=("turn:turn.node.example:3478?transport=udp",), username="u",
                       credential="c")


def factory(**overrides: object) -> AiortcMediaFactory:
    settings = Settings(camera="test", microphone="test", speaker="test", **overrides)  # type: ignore[arg-type]
    return AiortcMediaFactory(settings)


def test_no_token_servers_means_an_empty_list_never_the_default() -> None:
    configuration = rtc_configuration([])
    # None would make aiortc use its public default STUN server.
    assert configuration.iceServers == []
    assert configuration.iceTransportPolicy is RTCIceTransportPolicy.ALL


def test_configuration_has_exactly_the_token_servers() -> None:
    configuration = rtc_configuration([TOKEN_STUN, TOKEN_TURN], relay_only=True)
    assert [(s.urls, s.username, s.credential) for s in configuration.iceServers or []] == [
        (["stun:stun.node.example:3478"], None, None),
        (["turn:turn.node.example:3478?transport=udp"], "u", "c"),
    ]
    assert configuration.iceTransportPolicy is RTCIceTransportPolicy.RELAY


def test_call_uses_the_token_servers_and_relay_policy() -> None:
    call = factory().create_call([TOKEN_TURN], relay_only=True)
    servers = call.configuration.iceServers or []
    assert [s.urls for s in servers] == [["turn:turn.node.example:3478?transport=udp"]]
    assert call.configuration.iceTransportPolicy is RTCIceTransportPolicy.RELAY


async def test_offer_has_no_public_stun_and_lists_vp8_first_by_default() -> None:
    call = factory().create_call([])
    try:
        offer = await call.create_offer()
    finally:
        await call.close()
    assert call.configuration.iceServers == []
    assert "stun:" not in offer.lower() and "google" not in offer.lower()
    assert "typ srflx" not in offer and "typ relay" not in offer
    video_line = next(line for line in offer.splitlines() if line.startswith("m=video"))
    payloads = video_line.split()[3:]
    names = [re.search(rf"a=rtpmap:{p} ([^/]+)/", offer).group(1) for p in payloads]  # type: ignore[union-attr]
    assert names[0] == "VP8"
    assert "H264" in names and names.index("H264") > 0


def test_codec_preferences_follow_the_setting() -> None:
    vp8_first = [c.mimeType for c in video_codec_preferences(("VP8", "H264"))]
    h264_only = [c.mimeType for c in video_codec_preferences(("H264",))]
    assert vp8_first[0] == "video/VP8" and vp8_first[-1] == "video/rtx"
    assert "video/VP8" not in h264_only and h264_only[0] == "video/H264"


def test_negotiated_codec_reads_the_first_real_codec() -> None:
    sdp = (
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 98 97\r\nc=IN IP4 127.0.0.1\r\na=mid:1\r\n"
        "a=rtpmap:98 rtx/90000\r\na=fmtp:98 apt=97\r\na=rtpmap:97 H264/90000\r\n"
    )
    assert negotiated_codec(sdp, "video") == "H264"
    assert negotiated_codec(sdp, "audio") == "opus"
    assert negotiated_codec("not sdp", "video") == ""
