"""The Client REST API v2 routes of the simulated node (`/api/client/v2/...`).

Each handler reads the request the way a node does (token in the `token`
header, PIN in the `pin` header, JSON bodies) and hands it to `SimulatedNode`.
"""

from __future__ import annotations

from aiohttp import web

from kiosk.simulator.fault_injector import ICE_BLACKHOLE_KEY
from kiosk.simulator.node import SimulatedNode
from kiosk.simulator.protocol_replies import ApiError, read_json_object, reply
from kiosk.simulator.sse_endpoint import serve_event_stream

API_PREFIX = "/api/client/v2"
_CONFERENCE = API_PREFIX + "/conferences/{alias}"
_PARTICIPANT = _CONFERENCE + "/participants/{participant_uuid}"
_CALL = _PARTICIPANT + "/calls/{call_uuid}"


def _token(request: web.Request) -> str | None:
    return request.headers.get("token") or request.query.get("token")


class ClientApi:
    """Binds the protocol's HTTP routes to one simulated node."""

    def __init__(self, node: SimulatedNode) -> None:
        self._node = node

    def add_routes(self, app: web.Application) -> None:
        """Register every route on `app`."""
        app.add_routes(
            [
                web.get("/status", self.status),
                web.get(API_PREFIX + "/status", self.status),
                web.post(_CONFERENCE + "/request_token", self.request_token),
                web.post(_CONFERENCE + "/refresh_token", self.refresh_token),
                web.post(_CONFERENCE + "/release_token", self.release_token),
                web.get(_CONFERENCE + "/events", self.events),
                web.post(_PARTICIPANT + "/calls", self.calls),
                web.post(_CALL + "/{action}", self.call_action),
                web.post(_PARTICIPANT + "/dtmf", self.dtmf),
                web.post(_PARTICIPANT + "/{action}", self.participant_action),
                web.post(_CONFERENCE + "/{action}", self.conference_action),
            ]
        )

    async def status(self, request: web.Request) -> web.Response:
        """`GET /status`: the node is up."""
        return reply("OK")

    async def request_token(self, request: web.Request) -> web.Response:
        """Join: PIN rules, Virtual Reception, waiting room."""
        alias = request.match_info["alias"]
        self._node.room(alias)  # 404 before looking at the body, as a node does
        body = await read_json_object(request)
        result = self._node.request_token(alias, body, request.headers.get("pin"))
        return reply(result)

    async def refresh_token(self, request: web.Request) -> web.Response:
        """A new token for the caller."""
        room, participant = self._node.authenticate(request.match_info["alias"], _token(request))
        return reply(self._node.refresh_token(room, participant))

    async def release_token(self, request: web.Request) -> web.Response:
        """The caller leaves (optional body `{"reason": ...}`)."""
        alias = request.match_info["alias"]
        body = await read_json_object(request)
        reason = body.get("reason")
        self._node.release_token(
            alias, _token(request), reason if isinstance(reason, str) else None
        )
        return reply(True)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """The caller's event stream."""
        return await serve_event_stream(request, self._node, request.match_info["alias"])

    async def calls(self, request: web.Request) -> web.Response:
        """A WebRTC offer: answered by a new far-end peer (one that never answers ICE
        when an `ice_blackhole` fault matched this request)."""
        room, actor = self._node.authenticate(request.match_info["alias"], _token(request))
        body = await read_json_object(request)
        result = await self._node.start_call(
            room,
            actor,
            request.match_info["participant_uuid"],
            body,
            ice_blackhole=bool(request.get(ICE_BLACKHOLE_KEY, False)),
        )
        return reply(result)

    async def call_action(self, request: web.Request) -> web.Response:
        """ack, update, new_candidate, disconnect, dtmf on one call."""
        room, actor = self._node.authenticate(request.match_info["alias"], _token(request))
        body = await read_json_object(request)
        result = await self._node.call_action(
            room,
            actor,
            request.match_info["participant_uuid"],
            request.match_info["call_uuid"],
            request.match_info["action"],
            body,
        )
        return reply(result)

    async def dtmf(self, request: web.Request) -> web.Response:
        """DTMF digits on the participant (not tied to a call)."""
        room, actor = self._node.authenticate(request.match_info["alias"], _token(request))
        body = await read_json_object(request)
        self._node.record_dtmf(room, actor, request.match_info["participant_uuid"], body)
        return reply(True)

    async def participant_action(self, request: web.Request) -> web.Response:
        """mute, unmute, video_muted, video_unmuted, disconnect, unlock, ..."""
        room, actor = self._node.authenticate(request.match_info["alias"], _token(request))
        await read_json_object(request)
        self._node.participant_action(
            room, actor, request.match_info["participant_uuid"], request.match_info["action"]
        )
        return reply(True)

    async def conference_action(self, request: web.Request) -> web.Response:
        """Host commands on the conference: disconnect, start_conference, lock, ..."""
        action = request.match_info["action"]
        if action in ("request_token", "refresh_token", "release_token"):
            raise ApiError(405, "Method not allowed")
        room, actor = self._node.authenticate(request.match_info["alias"], _token(request))
        await read_json_object(request)
        self._node.conference_action(room, actor, action)
        return reply(True)
