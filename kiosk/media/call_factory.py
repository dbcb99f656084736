"""The media factory the session uses: one `AiortcMediaCall` per call."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.config import Settings
from kiosk.infinity.models import IceServer
from kiosk.media.peer_call import AiortcMediaCall


class AiortcMediaFactory:
    """Makes aiortc calls with the room's devices and codecs from `settings` (a `MediaFactory`)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def create_call(
        self,
        ice_servers: Sequence[IceServer],
        bandwidth_out_kbps: int | None = None,
        relay_only: bool = False,
        bandwidth_in_kbps: int | None = None,
    ) -> AiortcMediaCall:
        """A new call with the token's ICE servers; devices are opened by `create_offer`."""
        return AiortcMediaCall(
            self._settings,
            ice_servers=ice_servers,
            bandwidth_out_kbps=bandwidth_out_kbps,
            relay_only=relay_only,
            bandwidth_in_kbps=bandwidth_in_kbps,
        )
