"""Chromium as the bar: Debian's `chromium`, headless, running one endpoint's worth of a call.

One page, two peer connections on 127.0.0.1: the first sends the fake camera
(`--use-file-for-fake-video-capture`, a y4m clip of the kiosk's own test
picture at the same size and rate) and the fake microphone; the second
receives and decodes them. That is one video encode, one video decode, one Opus
encode and one decode: what one kiosk does in a call (which encodes its camera
and decodes the meeting). The sender is held to the kiosk's video bit rate cap,
keeps its resolution (`maintain-resolution`: a loaded Chromium drops frames,
which marks the run invalid, instead of quietly sending less), and starts at
that bit rate. Frame rates come from `getStats`; CPU and PSS of Chromium's
whole process tree from /proc, like the kiosk's (`harness.py`). Chromium reads
the clip through a file descriptor (it does not map it), so the file adds
nothing to its PSS.
"""

from __future__ import annotations

import re
import selectors
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness import Counters, tree_pids

CHROMIUM = "/usr/bin/chromium"
# What works here as root, headless, on a closed network (background connections refused).
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--remote-debugging-port=0",
)
DEVTOOLS_TIMEOUT = 60.0
PAGE_URL = "https://loopback.bench/"  # served by Playwright's router: a secure context

PAGE = """<!doctype html><html><body><script>
function onlyLoopback(sdp) {  // the bench stays on 127.0.0.1
  return sdp.split('\\r\\n').filter(l => !l.startsWith('a=candidate') ||
    l.includes(' 127.0.0.1 ')).join('\\r\\n');
}
function startAt(sdp, codec, kbps) {  // libwebrtc reads x-google-*-bitrate from the answer
  const pt = (sdp.match(new RegExp('a=rtpmap:(\\\\d+) ' + codec + '/90000')) || [])[1];
  if (!pt) return sdp;
  const extra = 'x-google-start-bitrate=' + kbps + ';x-google-max-bitrate=' + kbps;
  const fmtp = new RegExp('a=fmtp:' + pt + ' (.*)');
  if (fmtp.test(sdp)) return sdp.replace(fmtp, 'a=fmtp:' + pt + ' $1;' + extra);
  return sdp.replace('a=rtpmap:' + pt + ' ' + codec + '/90000',
    'a=rtpmap:' + pt + ' ' + codec + '/90000\\r\\na=fmtp:' + pt + ' ' + extra);
}
async function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise(r => pc.addEventListener('icegatheringstatechange',
    () => pc.iceGatheringState === 'complete' && r()));
}
async function start(codec, width, height, fps, kbps) {
  const stream = await navigator.mediaDevices.getUserMedia(
    {video: {width, height, frameRate: fps}, audio: true});
  const sender = new RTCPeerConnection(), receiver = new RTCPeerConnection();
  window.pcs = [sender, receiver];
  for (const track of stream.getTracks()) sender.addTransceiver(track, {direction: 'sendonly'});
  const video = sender.getTransceivers().find(t => t.sender.track.kind === 'video');
  video.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter(
    c => c.mimeType === 'video/' + codec));
  const params = video.sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  params.encodings[0].maxBitrate = kbps * 1000;
  await video.sender.setParameters(params);
  await sender.setLocalDescription(); await gathered(sender);
  await receiver.setRemoteDescription(
    {type: 'offer', sdp: onlyLoopback(sender.localDescription.sdp)});
  await receiver.setLocalDescription(); await gathered(receiver);
  await sender.setRemoteDescription({type: 'answer',
    sdp: startAt(onlyLoopback(receiver.localDescription.sdp), codec, kbps)});
  return stream.getVideoTracks()[0].getSettings();
}
async function counters() {
  const out = {};
  (await window.pcs[0].getStats()).forEach(r => {
    if (r.type === 'outbound-rtp' && r.kind === 'video') Object.assign(out, {
      sent: r.framesSent, width: r.frameWidth, height: r.frameHeight,
      bytes_sent: r.bytesSent, encoder: r.encoderImplementation,
      limitation: r.qualityLimitationReason});
  });
  (await window.pcs[1].getStats()).forEach(r => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') Object.assign(out, {
      decoded: r.framesDecoded, rwidth: r.frameWidth, rheight: r.frameHeight,
      decoder: r.decoderImplementation});
    if (r.type === 'inbound-rtp' && r.kind === 'audio') out.audio_packets = r.packetsReceived;
  });
  return out;
}
</script></body></html>"""


def launch_chromium(user_data_dir: Path, fake_camera: Path | None) -> tuple[subprocess.Popen[str],
                                                                              str]:
    """Start headless Chromium; its process and DevTools websocket URL."""
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}"]
    if fake_camera is not None:
        flags.append(f"--use-file-for-fake-video-capture={fake_camera}")
    process = subprocess.Popen([CHROMIUM, *flags, "about:blank"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    deadline = time.monotonic() + DEVTOOLS_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=1.0):
                continue
            line = process.stderr.readline()
            if not line:
                break
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                return process, match.group(1)
    process.kill()
    process.wait()
    raise RuntimeError("chromium did not start (no DevTools address)")


class ChromiumLoopback:
    """A running Chromium loopback call; a `harness.Subject`."""

    def __init__(self, process: subprocess.Popen[str], page: Any, rig: Sequence[int]) -> None:
        self._process = process
        self._page = page
        self._rig = list(rig)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def rig_pids(self) -> Sequence[int]:
        return self._rig


    def counters(self) -> Counters:
        stats = self._page.evaluate("counters()")
        sent = (stats["width"], stats["height"]) if stats.get("width") else None
        received = (stats["rwidth"], stats["rheight"]) if stats.get("rwidth") else None
        decoded = stats.get("decoded")
        return Counters(
            far_end_decoded_frames=decoded, decoded_frames=decoded, sent_resolution=sent,
            received_resolution=received, video_bytes_sent=stats.get("bytes_sent"),
            sent_frames=stats.get("sent"),
            extra={"codec_implementation": f"{stats.get('encoder')}/{stats.get('decoder')}",
                   "quality_limitation": stats.get("limitation")},
        )


def _driver_pids(exclude: Sequence[int]) -> list[int]:
    """Playwright's driver (node) among this process's children: the bench's rig."""
    import os

    mine = set(tree_pids(os.getpid())) - {os.getpid()}
    skipped = {pid for root in exclude for pid in tree_pids(root)}
    driver = []
    for pid in mine - skipped:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"playwright" in command:
            driver.append(pid)
    return driver


@contextmanager
def chromium_loopback(codec: str, size: tuple[int, int], fps: int, kbps: int,
                      fake_camera: Path, exclude_from_rig: Sequence[int] = ()
                      ) -> Iterator[ChromiumLoopback]:
    """Start Chromium, set the call up, wait until frames flow; stop everything at the end."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-chromium-") as profile, \
            sync_playwright() as playwright:
        process, endpoint = launch_chromium(Path(profile), fake_camera)
        try:
            browser = playwright.chromium.connect_over_cdp(endpoint)
            page = browser.contexts[0].new_page()
            page.route(PAGE_URL, lambda route: route.fulfill(body=PAGE,
                                                              content_type="text/html"))
            page.goto(PAGE_URL)
            page.evaluate("([c, w, h, f, k]) => start(c, w, h, f, k)",
                          [codec, size[0], size[1], fps, kbps])
            page.wait_for_function("async () => ((await counters()).decoded || 0) > 30",
                                   timeout=60_000, polling=500)
            yield ChromiumLoopback(process, page, _driver_pids([process.pid, *exclude_from_rig]))
            browser.close()
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
