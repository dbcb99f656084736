"""SDP a real node may send that aiortc's far end never would: ICE restarts, H.264 mode 0.

- `POST /_sim/rooms/{alias}/participants/{uuid}/reoffer` `{"event"?: "new_offer" |
  "update_sdp", "ice_restart"?: bool, "video"?: "h264_mode0_only"}`: like
  `renegotiate`, but the far end's offer is rewritten first: new ICE credentials
  (what a node sends after a network change on its side), and/or a video m-line
  whose only codec is H.264 in packetization-mode 0.
- `POST /_sim/answer_rewrites` `{"video": "h264_mode0_first" | "h264_mode0_only",
  "count"?: 1}` → `{armed: n}`: the next `count` answers to `calls` list an
  H.264 packetization-mode 0 first (the far end still receives what it
  negotiated), or offer nothing but it. `DELETE /_sim/answer_rewrites` → `{cleared: n}`.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from kiosk.simulator.node import SERVER_OFFER_EVENTS, SimulatedNode
from kiosk.simulator.protocol_replies import ApiError, read_json_object, reply
from kiosk.simulator.room_state import CallState

H264_MODE0_FMTP = "packetization-mode=0;profile-level-id=42e01f;level-asymmetry-allowed=1"
VIDEO_REWRITES = ("h264_mode0_first", "h264_mode0_only")
_ICE_UFRAG = re.compile(r"^a=ice-ufrag:\S+", re.MULTILINE)
_ICE_PWD = re.compile(r"^a=ice-pwd:\S+", re.MULTILINE)
_PARTICIPANT = "/_sim/rooms/{alias}/participants/{participant_uuid}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def restart_ice(sdp: str) -> str:
    """`sdp` with new ICE credentials everywhere (the same new pair in every section)."""
    ufrag, pwd = secrets.token_hex(4), secrets.token_hex(12)
    return _ICE_PWD.sub(f"a=ice-pwd:{pwd}", _ICE_UFRAG.sub(f"a=ice-ufrag:{ufrag}", sdp))


def _split_sections(sdp: str) -> list[list[str]]:
    sections: list[list[str]] = [[]]
    for line in sdp.replace("\r\n", "\n").split("\n"):
        if line.startswith("m="):
            sections.append([])
        if line:
            sections[-1].append(line)
    return sections


def _join_sections(sections: list[list[str]]) -> str:
    return "\r\n".join(line for section in sections for line in section) + "\r\n"


def _free_payload_type(section: list[str]) -> int:
    used = {int(p) for p in section[0].split()[3:] if p.isdigit()}
    return next(pt for pt in range(127, 95, -1) if pt not in used)


def rewrite_video(sdp: str, how: str) -> str:
    """`sdp` whose video m-lines list an H.264 packetization-mode 0 first
    (`h264_mode0_first`) or as their only codec (`h264_mode0_only`)."""
    if how not in VIDEO_REWRITES:
        raise ValueError(f"unknown video rewrite {how!r}")
    sections = _split_sections(sdp)
    for section in sections[1:]:
        head = section[0].split()
        if head[0] != "m=video" or head[1] == "0":
            continue
        pt = _free_payload_type(section)
        codec_lines = [f"a=rtpmap:{pt} H264/90000", f"a=fmtp:{pt} {H264_MODE0_FMTP}"]
        if how == "h264_mode0_first":
            head = [*head[:3], str(pt), *head[3:]]
            kept = section[1:]
        else:
            head = [*head[:3], str(pt)]
            kept = [line for line in section[1:]
                    if not line.startswith(("a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"))]
        section[:] = [" ".join(head), *kept, *codec_lines]
    return _join_sections(sections)


class SdpFaults:
    """The routes above and the middleware that rewrites `calls` answers while armed."""

    def __init__(self, node: SimulatedNode) -> None:
        self._node = node
        self._answer_rewrites: list[str] = []

    def add_routes(self, app: web.Application) -> None:
        """Register the control routes."""
        app.add_routes([
            web.post(_PARTICIPANT + "/reoffer", self.reoffer),
            web.post("/_sim/answer_rewrites", self.arm_answer_rewrites),
            web.delete("/_sim/answer_rewrites", self.clear_answer_rewrites),
        ])

    async def reoffer(self, request: web.Request) -> web.Response:
        """The far end of the participant's live call sends a rewritten offer."""
        body = await read_json_object(request)
        event = body.get("event", "new_offer")
        ice = body.get("ice_restart", False)
        video = body.get("video")
        if event not in SERVER_OFFER_EVENTS:
            raise ApiError(400, "event must be new_offer or update_sdp")
        if not isinstance(ice, bool):
            raise ApiError(400, "ice_restart must be true or false")
        if video not in (None, "h264_mode0_only"):
            raise ApiError(400, "video must be h264_mode0_only")
        room = self._node.room(request.match_info["alias"])
        participant = room.participants.get(request.match_info["participant_uuid"])
        if participant is None:
            raise ApiError(404, "Participant not found")
        live = [c for c in participant.calls.values() if c.state is not CallState.DISCONNECTED]
        if not live:
            raise ApiError(404, "The participant has no call")
        call = live[-1]
        try:
            offer = await call.far_end.create_offer()
        except ValueError as exc:
            raise ApiError(409, f"Cannot renegotiate now: {exc}") from None
        if ice:
            offer = restart_ice(offer)
        if video is not None:
            offer = rewrite_video(offer, video)
        call.server_offers += 1
        self._node.hub.send(participant.uuid, event, {"sdp": offer}, keep=True)
        return reply({"call_uuid": call.call_uuid, "event": event, "ice_restart": ice,
                      "video": video})

    async def arm_answer_rewrites(self, request: web.Request) -> web.Response:
        """Rewrite the next `count` answers to `calls`."""
        body = await read_json_object(request)
        video = body.get("video")
        count = body.get("count", 1)
        if video not in VIDEO_REWRITES:
            raise ApiError(400, "video must be h264_mode0_first or h264_mode0_only")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100:
            raise ApiError(400, "count must be a whole number from 1 to 100")
        self._answer_rewrites.extend([video] * count)
        return reply({"armed": len(self._answer_rewrites)})

    async def clear_answer_rewrites(self, request: web.Request) -> web.Response:
        """Disarm every answer rewrite."""
        cleared = len(self._answer_rewrites)
        self._answer_rewrites.clear()
        return reply({"cleared": cleared})

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Rewrite the SDP of a successful `calls` answer while a rewrite is armed."""
        response = await handler(request)
        if (not self._answer_rewrites or request.method != "POST"
                or not request.path.endswith("/calls")
                or not isinstance(response, web.Response) or response.status != 200
                or response.text is None):
            return response
        body: dict[str, Any] = json.loads(response.text)
        result = body.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("sdp"), str):
            return response
        result["sdp"] = rewrite_video(result["sdp"], self._answer_rewrites.pop(0))
        return web.Response(status=200, text=json.dumps(body), content_type="application/json")
