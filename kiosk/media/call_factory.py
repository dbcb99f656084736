"""The media factory the session uses: one `AiortcMediaCall` per call."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.config import Settings
from kiosk.infinity.models import IceServer
from kiosk.media.address_watch import AddressSource, host_addresses
from kiosk.media.frame_memory import return_frame_buffers_when_freed
from kiosk.media.peer_call import AiortcMediaCall


class AiortcMediaFactory:
    """Makes aiortc calls with the room's devices and codecs from `settings` (a `MediaFactory`).

    `address_source` lists the device's addresses (the calls watch them for a network change).
    """

    def __init__(self, settings: Settings, address_source: AddressSource = host_addresses
                 ) -> None:
        self._settings = settings
        self._address_source = address_source
        # Frame buffers freed after a stalled moment would otherwise stay in malloc's arenas.
        return_frame_buffers_when_freed()

    def create_call(
        self,
        ice_servers: Sequence[IceServer],
        bandwidth_out_kbps: int | None = None,
        relay_only: bool = False,
        video_codecs: Sequence[str] | None = None,
    ) -> AiortcMediaCall:
        """A new call with the token's ICE servers; devices are opened by `create_offer`."""
        return AiortcMediaCall(
            self._settings,
            ice_servers=ice_servers,
            bandwidth_out_kbps=bandwidth_out_kbps,
            relay_only=relay_only,
            video_codecs=video_codecs,
            address_source=self._address_source,
        )
