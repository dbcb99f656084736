"""The full app when its node stops answering mid-call: the in-call screen says so within
10 s (not after the media's 25-30 s timeout) and the call comes back by itself."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ui_harness import kiosk_settings, running_kiosk, wait_until

from kiosk.config import Settings
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.network_cable import NetworkCable

pytestmark = pytest.mark.timeout(120)


async def test_the_in_call_screen_says_the_service_is_not_answering_and_recovers(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    # The media flows straight to the simulator; the cable carries the HTTP and events.
    with NetworkCable("127.0.0.1", urlsplit(simulator.url).port or 0) as cable:
        settings = kiosk_settings(dataclasses.replace(
            sim_settings, node=f"https://127.0.0.1:{cable.port}"))
        async with running_kiosk(simulator, settings) as kiosk:
            tap(kiosk.screen(ScreenName.HOME).join_buttons()[0])
            in_call = await kiosk.wait_screen(ScreenName.IN_CALL)
            await wait_until(lambda: in_call.ids.remote.has_frame, "the far end's video")
            pulled = time.monotonic()
            cable.unplug()
            await wait_until(lambda: in_call.notice == (
                "The meeting service is not answering — reconnecting…"), "the notice", 30)
            assert time.monotonic() - pulled < 10.0
            assert kiosk.app.current_screen is ScreenName.IN_CALL
            in_call.export_to_png(str(tmp_path / "in_call_node_lost.png"))
            cable.plug_in()
            await wait_until(lambda: kiosk.session.snapshot.state is SessionState.CONNECTED
                             and kiosk.session.snapshot.rejoins == 1, "back in", 30)
            await wait_until(lambda: in_call.notice == "", "the notice gone")
            assert kiosk.session.media_call is not None
            await wait_until(lambda: in_call.ids.remote.has_frame, "video of the new call")
            await kiosk.session.leave()  # (the controls have hidden themselves by now)
            await kiosk.wait_screen(ScreenName.HOME)
