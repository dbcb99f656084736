"""`pexip-kiosk call` against a libwebrtc far end: headless Chromium answers the kiosk's offer.

The simulator is the node (REST API, events) with a pluggable far end: each
call's offer is relayed to a page in Debian's headless Chromium, whose answer
goes back to the kiosk, and mid-call the page makes a new offer that the
node sends as `new_offer` (the kiosk answers with `ack {sdp}`). Video frames
and audio packets are counted both ways, for VP8 and for H.264: Chromium's
`getStats` on its side, the kiosk's own media summary on the other. So the
kiosk's media is checked against the WebRTC stack a real Pexip client uses,
not only against aiortc. The Makefile installs chromium; Playwright drives it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from chromium_far_end import CAMERA, CHROMIUM, FLAGS, ChromiumFarEnds

from kiosk.headless_call import EXIT_INTERRUPTED
from kiosk.simulator.rooms import load_demo_rooms
from kiosk.simulator.server import Simulator

pytestmark = pytest.mark.timeout(120)

REPO = Path(__file__).resolve().parent.parent
ROOM = "meet.open"
# Long enough for a loaded machine; the test ends the call itself (SIGTERM: a clean leave).
CALL_SECONDS = 90.0


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    # Not installed is a broken set-up (the Makefile installs it), never a skip.
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run `make system-packages`"
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS),
                                                    headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def chromium_node(browser: Any) -> AsyncIterator[tuple[Simulator, ChromiumFarEnds]]:
    far_ends = ChromiumFarEnds(browser)
    simulator = Simulator(load_demo_rooms(), far_ends=far_ends)
    await simulator.start()
    try:
        yield simulator, far_ends
    finally:
        await simulator.stop()


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def start_kiosk_call(simulator: Simulator, codec: str, env_file: Path
                           ) -> asyncio.subprocess.Process:
    env_file.write_text("")  # no settings but the command line's (a developer's .env is not read)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))}
    env.update(KIOSK_VIDEO_CODECS=codec, KIOSK_CAMERA_SIZE="640x360", KIOSK_LOG_LEVEL="WARNING")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kiosk.cli", "call", "--env-file", str(env_file),
        "--node", simulator.url, "--ca-bundle", str(simulator.ca_bundle), "--alias", ROOM,
        "--display-name", f"Kiosk {codec}", "--seconds", str(CALL_SECONDS),
        "--camera", "test", "--microphone", "test", "--speaker", "test",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=REPO, env=env)


def kiosk_call(simulator: Simulator, codec: str) -> dict[str, Any]:
    room = simulator.node.room_snapshot(ROOM)
    entry = next(p for p in room["participants"] if p["display_name"] == f"Kiosk {codec}")
    return {"uuid": entry["uuid"], **entry["calls"][-1]}


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_chromium_answers_the_kiosk_then_reoffers_and_media_flows_both_ways(
    chromium_node: tuple[Simulator, ChromiumFarEnds], codec: str, tmp_path: Path
) -> None:
    simulator, far_ends = chromium_node
    kiosk = await start_kiosk_call(simulator, codec, tmp_path / "kiosk.env")
    try:
        await until(lambda: asyncio.sleep(0, bool(far_ends.far_ends)), "the kiosk's call")
        chromium = far_ends.far_ends[0]

        async def flowing(video: int, audio: int) -> bool:
            seen = await chromium.counters()
            return (seen.get("video_frames_decoded", 0) >= video
                    and seen.get("audio_packets_received", 0) >= audio)

        # Chromium decodes the kiosk's camera and hears its microphone.
        await until(lambda: flowing(30, 50), "Chromium receiving the kiosk's media")
        before = await chromium.counters()
        assert before["connection"] == "connected"
        assert before["video_codec"] == f"video/{codec}"
        assert (before["video_width"], before["video_height"]) == (640, 360)

        # The node re-offers from Chromium's side mid-call; the kiosk answers with ack {sdp}.
        call = kiosk_call(simulator, codec)
        sent = await simulator.node.server_offer(ROOM, call["uuid"], "new_offer")
        assert sent["event"] == "new_offer"

        async def answered() -> bool:
            return kiosk_call(simulator, codec)["server_offers_answered"] == 1

        await until(answered, "the kiosk's answer to new_offer")
        assert (await chromium.counters())["signaling"] == "stable"
        await until(lambda: flowing(before["video_frames_decoded"] + 60,
                                    before["audio_packets_received"] + 100),
                    "media after the re-offer")
        after = await chromium.counters()
        assert after["video_codec"] == f"video/{codec}" and after["connection"] == "connected"
        assert after["video_frames_sent"] > before["video_frames_sent"] + 30
        assert after["audio_packets_sent"] > before["audio_packets_sent"] + 50
        await asyncio.sleep(2.5)  # the kiosk's fps figure covers the last 2 s: after the re-offer
        kiosk.send_signal(signal.SIGTERM)  # as systemd stops it: leave the meeting cleanly
        out, err = await asyncio.wait_for(kiosk.communicate(), 30)
    finally:
        if kiosk.returncode is None:
            kiosk.kill()
            await kiosk.wait()
    assert kiosk.returncode == EXIT_INTERRUPTED, err.decode()
    summary = json.loads(out.decode().splitlines()[-1])
    media = summary["media"]
    # The kiosk's own stats: Chromium's camera decoded, its sound received, ours sent.
    assert media["codec"] == codec
    assert media["resolution_received"] == list(CAMERA)
    assert media["frames_received"] >= 100 and media["audio_packets_received"] >= 150
    assert media["frames_sent"] >= after["video_frames_decoded"] * 0.9
    assert media["audio_packets_sent"] >= 150
    assert media["fps_received"] > 10  # still flowing at the end, after the re-offer
    assert summary["states"] == ["CONNECTING", "CONNECTED", "DISCONNECTING", "IDLE"]
    room = simulator.node.room_snapshot(ROOM)
    assert all(p["display_name"] != f"Kiosk {codec}" for p in room["participants"])  # it left
