"""Routes of what a room sees: presentation images, layouts and live captions.

Client API (`/api/client/v2/conferences/{alias}/...`, token in the `token` header
or `?token=`):
- `GET presentation_high.jpeg?id=N`, `GET presentation.jpeg?id=N` → the current slide
  (1280x720 / 640x360 JPEG; 404 while nobody presents)
- `GET available_layouts` → `["1:0", "1:7", ...]`; `GET layout_svgs` → `{layout: svg}`
- `POST transform_layout` `{"transforms": {"layout": ...}}` (hosts) → `true`, and a
  `layout` event to everyone
- `POST participants/{uuid}/show_live_captions`, `hide_live_captions` → `null`

Control API (documented in control_api.py's docstring as well):
- `POST /_sim/rooms/{alias}/present` `{"name"?: "Anna Svensson", "mode"?: "stream"|"jpeg"}`
  → `{presenter_uuid, mode}`; `DELETE /_sim/rooms/{alias}/present` → `{stopped: bool}`
- `POST /_sim/rooms/{alias}/presentation_options` `{"answer_slides": bool}` → `true`
  (false: new calls get their slides m-line answered `inactive`, as by an older node)
- `POST /_sim/rooms/{alias}/captions` `{"lines"?: [...], "word_seconds"?: 0.25}` →
  `{lines: n}`: the script is spoken to the participants that asked for captions
These routes must be added before `ClientApi`'s catch-all `{action}` routes.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from kiosk.simulator.captions import DEFAULT_SCRIPT, WORD_SECONDS
from kiosk.simulator.layouts import LAYOUTS, layout_event, layout_svgs, requested_layout
from kiosk.simulator.node import SimulatedNode
from kiosk.simulator.protocol_replies import ApiError, read_json_object, reply

API_PREFIX = "/api/client/v2"
_CONFERENCE = API_PREFIX + "/conferences/{alias}"
_PARTICIPANT = _CONFERENCE + "/participants/{participant_uuid}"
_CONTROL_ROOM = "/_sim/rooms/{alias}"
DEFAULT_PRESENTER = "Anna Svensson"
MAX_CAPTION_LINES = 50


def _token(request: web.Request) -> str | None:
    return request.headers.get("token") or request.query.get("token")


class PresentationApi:
    """Binds the presentation, layout and caption routes to one simulated node."""

    def __init__(self, node: SimulatedNode) -> None:
        self._node = node

    def add_routes(self, app: web.Application) -> None:
        """Register every route on `app` (before ClientApi's)."""
        app.add_routes([
            web.get(_CONFERENCE + "/presentation_high.jpeg", self.jpeg_high),
            web.get(_CONFERENCE + "/presentation.jpeg", self.jpeg_low),
            web.get(_CONFERENCE + "/available_layouts", self.available_layouts),
            web.get(_CONFERENCE + "/layout_svgs", self.layout_svgs),
            web.post(_CONFERENCE + "/transform_layout", self.transform_layout),
            web.post(_PARTICIPANT + "/show_live_captions", self.show_captions),
            web.post(_PARTICIPANT + "/hide_live_captions", self.hide_captions),
            web.post(_CONTROL_ROOM + "/present", self.present),
            web.delete(_CONTROL_ROOM + "/present", self.stop_presenting),
            web.post(_CONTROL_ROOM + "/presentation_options", self.presentation_options),
            web.post(_CONTROL_ROOM + "/captions", self.play_captions),
        ])

    # ------------------------------------------------------------------ client API

    async def _jpeg(self, request: web.Request, high: bool) -> web.Response:
        room, participant = self._node.authenticate(request.match_info["alias"],
                                                    _token(request))
        if not request.query.get("id", "").isdigit():
            raise ApiError(400, "id must be the number of a presentation_frame event")
        data = self._node.presenter.jpeg(room, participant, high)
        return web.Response(body=data, content_type="image/jpeg",
                            headers={"Cache-Control": "no-store"})

    async def jpeg_high(self, request: web.Request) -> web.Response:
        """The current slide at 1280x720."""
        return await self._jpeg(request, high=True)

    async def jpeg_low(self, request: web.Request) -> web.Response:
        """The current slide at 640x360 (clients on a thin link)."""
        return await self._jpeg(request, high=False)

    async def available_layouts(self, request: web.Request) -> web.Response:
        """The layout ids."""
        self._node.authenticate(request.match_info["alias"], _token(request))
        return reply(list(LAYOUTS))

    async def layout_svgs(self, request: web.Request) -> web.Response:
        """The thumbnails."""
        self._node.authenticate(request.match_info["alias"], _token(request))
        return reply(layout_svgs())

    async def transform_layout(self, request: web.Request) -> web.Response:
        """A host changes the layout; everyone gets the `layout` event."""
        room, actor = self._node.authenticate(request.match_info["alias"], _token(request))
        body = await read_json_object(request)
        if not actor.is_host:
            raise ApiError(403, "Permission denied")
        room.layout = requested_layout(body)
        self._node.hub.broadcast([p.uuid for p in room.real_participants], "layout",
                                 layout_event(room.layout))
        return reply(True)

    async def _captions(self, request: web.Request, wanted: bool) -> web.Response:
        room, actor = self._node.authenticate(request.match_info["alias"], _token(request))
        await read_json_object(request)
        action = "show_live_captions" if wanted else "hide_live_captions"
        self._node.participant_action(room, actor, request.match_info["participant_uuid"],
                                      action)
        return reply(None)

    async def show_captions(self, request: web.Request) -> web.Response:
        """The participant wants live captions."""
        return await self._captions(request, wanted=True)

    async def hide_captions(self, request: web.Request) -> web.Response:
        """The participant no longer wants live captions."""
        return await self._captions(request, wanted=False)

    # ------------------------------------------------------------------ control API

    async def present(self, request: web.Request) -> web.Response:
        """A simulated participant starts presenting."""
        body = await read_json_object(request)
        name = _text(body, "name", DEFAULT_PRESENTER)
        mode = _text(body, "mode", "stream")
        room = self._node.room(request.match_info["alias"])
        return reply(self._node.presenter.start(room, name, mode))

    async def stop_presenting(self, request: web.Request) -> web.Response:
        """The presentation ends."""
        room = self._node.room(request.match_info["alias"])
        return reply({"stopped": self._node.presenter.stop(room)})

    async def presentation_options(self, request: web.Request) -> web.Response:
        """Whether new calls get their slides m-line answered."""
        body = await read_json_object(request)
        answer = body.get("answer_slides")
        if not isinstance(answer, bool):
            raise ApiError(400, "answer_slides must be true or false")
        room = self._node.room(request.match_info["alias"])
        self._node.presenter.room(room).answer_slides = answer
        return reply(True)

    async def play_captions(self, request: web.Request) -> web.Response:
        """Speak a caption script."""
        body = await read_json_object(request)
        lines = body.get("lines", list(DEFAULT_SCRIPT))
        if (not isinstance(lines, list) or not lines or len(lines) > MAX_CAPTION_LINES
                or not all(isinstance(x, str) and x.strip() for x in lines)):
            raise ApiError(400, "lines must be a list of non-empty strings")
        seconds = body.get("word_seconds", WORD_SECONDS)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not (
                0 <= seconds <= 5):
            raise ApiError(400, "word_seconds must be a number from 0 to 5")
        room = self._node.room(request.match_info["alias"])
        return reply({"lines": self._node.captions.play(room, lines, float(seconds))})


def _text(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"{key} must be a non-empty string")
    return value.strip()
