"""Replies in the Pexip JSON shape `{"status": ..., "result": ...}`, and the error carrying one."""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

from aiohttp import web

# The node's software version, sent in the token reply and in the PIN prompts.
NODE_VERSION = MappingProxyType({"version_id": "35", "pseudo_version": "77353.0.0"})


class ApiError(Exception):
    """A refusal the node sends as a JSON reply; raised by the simulated node, sent by the API.

    `status_text` is "failed" on most errors, but a real node says "success" on
    its 403 PIN and meeting-number prompts; clients must read `result`.
    `off_schema` says why a reply deviates from Pexip's published schemas on
    purpose (the schema recorder tells it from a mistake); "" for none.
    """

    def __init__(self, http_status: int, result: Any, status_text: str = "failed",
                 off_schema: str = "") -> None:
        super().__init__(f"HTTP {http_status}")
        self.http_status = http_status
        self.result = result
        self.status_text = status_text
        self.off_schema = off_schema

    def response(self) -> web.Response:
        """The aiohttp response for this refusal."""
        return reply(self.result, http_status=self.http_status, status_text=self.status_text)


def reply(result: Any, http_status: int = 200, status_text: str = "success") -> web.Response:
    """A JSON response `{"status": status_text, "result": result}`."""
    body = json.dumps({"status": status_text, "result": result})
    return web.Response(status=http_status, text=body, content_type="application/json")


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body; an empty body is `{}`; anything else is a 400."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "Malformed request body: not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Malformed request body: expected a JSON object")
    return body
