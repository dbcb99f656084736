"""The aiortc media factory, imported after the Home screen is up rather than before.

Importing aiortc, PyAV and numpy takes ~0.4 s here; nobody can tap Join in the
first second anyway, so the kiosk shows Home first and warms the import up in
the background. A join before that simply imports it then.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Sequence
from types import ModuleType

from kiosk.config import Settings
from kiosk.infinity.models import IceServer
from kiosk.media.interface import MediaCall, MediaFactory

FACTORY_MODULE = "kiosk.media.call_factory"


class DeferredMediaFactory:
    """A `MediaFactory` that creates `AiortcMediaFactory(settings)` on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._factory: MediaFactory | None = None

    def _real(self) -> MediaFactory:
        if self._factory is None:
            module = self._load()
            self._factory = module.AiortcMediaFactory(self._settings)
        return self._factory

    def _load(self) -> ModuleType:
        module = importlib.import_module(FACTORY_MODULE)
        if self._settings.node_is_loopback:
            from kiosk.media.loopback_ice import use_loopback_candidates_only

            use_loopback_candidates_only()  # the embedded simulator: keep media on 127.0.0.1
        return module

    async def warm_up(self) -> None:
        """Import the media stack in a worker thread, off the UI's loop."""
        await asyncio.to_thread(self._load)

    def create_call(
        self,
        ice_servers: Sequence[IceServer],
        bandwidth_out_kbps: int | None = None,
        relay_only: bool = False,
        bandwidth_in_kbps: int | None = None,
        video_codecs: Sequence[str] | None = None,
    ) -> MediaCall:
        """A new call, from the real factory."""
        return self._real().create_call(ice_servers, bandwidth_out_kbps, relay_only,
                                        bandwidth_in_kbps=bandwidth_in_kbps,
                                        video_codecs=video_codecs)
