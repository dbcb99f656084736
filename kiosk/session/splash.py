"""The node's splash screens: `GET theme/` once per meeting, then the screen's background
image (`theme/<path>`) for each `splash_screen` event.

The theme maps screen keys to `{"background": {"path"}, "elements": [{"type": "text",
"text", "color"}]}` (Pexip's v20 schema). A screen the theme does not describe is
still shown, without picture or text: the node wants the meeting hidden.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.infinity.client import InfinityClient
from kiosk.infinity.errors import InfinityError
from kiosk.session.room_view import SplashScreen

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 10.0


def screen_parts(theme: Mapping[str, Any], key: str) -> tuple[str, str]:
    """(background path, text) of screen `key` in a theme; empty strings where missing."""
    screen = theme.get(key)
    if not isinstance(screen, Mapping):
        return "", ""
    background = screen.get("background")
    path = background.get("path", "") if isinstance(background, Mapping) else ""
    texts = []
    elements = screen.get("elements")
    if isinstance(elements, list):
        for element in elements:
            if isinstance(element, Mapping) and element.get("type", "text") == "text":
                text = element.get("text")
                if isinstance(text, str) and text.strip():
                    texts.append(" ".join(text.split()))
    return (path if isinstance(path, str) else ""), "\n".join(texts)[:500]


class SplashLoader:
    """Fetches splash screens for one meeting; the theme is fetched once."""

    def __init__(self, client: InfinityClient, alias: str, token: Callable[[], str]) -> None:
        self._client = client
        self._alias = alias
        self._token = token
        self._theme: Mapping[str, Any] | None = None

    async def load(self, key: str) -> SplashScreen:
        """The screen `key` with its text and background image (best effort)."""
        try:
            if self._theme is None:
                self._theme = await asyncio.wait_for(
                    asyncio.to_thread(self._client.theme, self._alias, self._token()),
                    FETCH_TIMEOUT)
            path, text = screen_parts(self._theme, key)
            image = b""
            if path:
                image = await asyncio.wait_for(
                    asyncio.to_thread(self._client.theme_image, self._alias, path,
                                      self._token()),
                    FETCH_TIMEOUT)
        except (InfinityError, ValueError, TimeoutError) as exc:
            log.warning("The splash screen %r could not be fetched (%s)", key,
                        type(exc).__name__)
            return SplashScreen(key=key)
        return SplashScreen(key=key, text=text, background=image,
                            background_name=path.rsplit("/", 1)[-1])
