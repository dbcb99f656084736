"""The simulated node's theme: the splash screens of `GET theme/` and their background images.

Shapes as Pexip's v20 schema has them: screen key -> `{"layout_type", "background":
{"path"}, "elements": [{"type": "text", "color", "text"}]}`; images are served at
`theme/<path>` to a valid token (header, or `?token=` as PexRTC sends it).
"""

from __future__ import annotations

import io

from aiohttp import web

from kiosk.simulator.client_api import API_PREFIX
from kiosk.simulator.node import SimulatedNode
from kiosk.simulator.protocol_replies import ApiError, reply

BACKGROUND_PATH = "background.png"
SCREENS: dict[str, str] = {
    "direct_media_welcome": "Welcome to the meeting",
    "direct_media_waiting_for_host": "Waiting for the host",
    "direct_media_other_participants_audio_only": "The others have joined by phone",
    "direct_media_escalate": "More people are joining",
    "direct_media_deescalate": "Only two of you are left",
    "on_hold": "You are on hold. Please stay in the meeting.",
}
_THEME = API_PREFIX + "/conferences/{alias}/theme/"


def theme_document() -> dict[str, object]:
    """The `result` of `GET theme/`."""
    return {
        key: {
            "layout_type": "direct_media",
            "background": {"path": BACKGROUND_PATH},
            "elements": [{"type": "text", "color": 0xFFFFFF, "text": text}],
        }
        for key, text in SCREENS.items()
    }


def background_png() -> bytes:
    """A 640x360 blue gradient (made with Pillow)."""
    from PIL import Image

    image = Image.new("RGB", (640, 360))
    image.putdata([(20 + y // 6, 50 + y // 4, 120 + x // 8) for y in range(360)
                   for x in range(640)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class ThemeRoutes:
    """`GET theme/` and `GET theme/<path>`."""

    def __init__(self, node: SimulatedNode) -> None:
        self._node = node
        self._png: bytes | None = None  # made on first request

    def add_routes(self, app: web.Application) -> None:
        """Register the theme routes."""
        app.add_routes([
            web.get(_THEME, self.theme),
            web.get(_THEME + "{path:.+}", self.image),
        ])

    def _check(self, request: web.Request) -> None:
        token = request.headers.get("token") or request.query.get("token")
        self._node.authenticate(request.match_info["alias"], token)

    async def theme(self, request: web.Request) -> web.Response:
        """The splash screens."""
        self._check(request)
        return reply(theme_document())

    async def image(self, request: web.Request) -> web.Response:
        """A theme image."""
        self._check(request)
        if request.match_info["path"] != BACKGROUND_PATH:
            raise ApiError(404, "No such theme file")
        if self._png is None:
            self._png = background_png()
        return web.Response(body=self._png, content_type="image/png")
