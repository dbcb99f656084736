"""The media factory the session uses: one `AiortcMediaCall` per call."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.config import Settings
from kiosk.infinity.models import IceServer
from kiosk.media.address_watch import AddressSource, host_addresses
from kiosk.media.encoded_video_track import EncodingOptions
from kiosk.media.encoder_choice import EncoderChoice, EncoderPreference
from kiosk.media.frame_memory import return_frame_buffers_when_freed
from kiosk.media.peer_call import AiortcMediaCall


class AiortcMediaFactory:
    """Makes aiortc calls with the room's devices and codecs from `settings` (a `MediaFactory`).

    The encoder choice (is there a hardware H.264 encoder?) is made once, for all calls.
    `encoding` is for tests and benchmarks (a throttled encoder, quicker adaptation).
    `address_source` lists the device's addresses (the calls watch them for a network change).
    """

    def __init__(
        self,
        settings: Settings,
        encoder_choice: EncoderChoice | None = None,
        encoding: EncodingOptions | None = None,
        address_source: AddressSource = host_addresses,
    ) -> None:
        self._settings = settings
        self._encoder_choice = encoder_choice or EncoderChoice(
            EncoderPreference(settings.video_encoder)
        )
        self._encoding = encoding
        self._address_source = address_source
        # Frame buffers freed after a stalled moment would otherwise stay in malloc's arenas.
        return_frame_buffers_when_freed()

    def create_call(
        self,
        ice_servers: Sequence[IceServer],
        bandwidth_out_kbps: int | None = None,
        relay_only: bool = False,
        bandwidth_in_kbps: int | None = None,
        video_codecs: Sequence[str] | None = None,
    ) -> AiortcMediaCall:
        """A new call with the token's ICE servers; devices are opened by `create_offer`."""
        return AiortcMediaCall(
            self._settings,
            ice_servers=ice_servers,
            bandwidth_out_kbps=bandwidth_out_kbps,
            relay_only=relay_only,
            bandwidth_in_kbps=bandwidth_in_kbps,
            encoder_choice=self._encoder_choice,
            encoding=self._encoding,
            video_codecs=video_codecs,
            address_source=self._address_source,
        )
