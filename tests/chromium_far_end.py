"""Headless Chromium (Debian's package, libwebrtc) as the simulator's far end, over DevTools.

`ChromiumFarEnds` is a `FarEndFactory` for `Simulator(far_ends=...)`: each call
the kiosk makes is answered by a page in one headless Chromium, as a Pexip node
would answer it (the simulator relays the kiosk's `calls` offer to the page and
the page's answer back, and a server-initiated `new_offer` comes from the page).
The page sends Chromium's fake camera and microphone and counts what it receives
with `getStats`. Driven by Playwright's async API on the test's event loop,
with `executable_path=/usr/bin/chromium` (no browser download).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream=fps=30", "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
)
PAGE_URL = "https://far-end.test/"  # fulfilled by Playwright's router: a secure context
CAMERA = (640, 360)

PAGE = """<!doctype html><html><body><script>
let pc = null, stream = null, codec = null;
function onlyLoopback(sdp) {  // the tests stay on 127.0.0.1
  return sdp.split('\\r\\n').filter(l => !l.startsWith('a=candidate') ||
    l.includes(' 127.0.0.1 ')).join('\\r\\n');
}
async function gathered() {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise(r => pc.addEventListener('icegatheringstatechange',
    () => pc.iceGatheringState === 'complete' && r()));
}
async function answer(offer, width, height) {
  stream = await navigator.mediaDevices.getUserMedia(
    {video: {width, height, frameRate: 30}, audio: true});
  pc = new RTCPeerConnection();
  await pc.setRemoteDescription({type: 'offer', sdp: offer});
  const sent = new Set();  // like a node: the camera on the main m-lines, none on the slides
  for (const t of pc.getTransceivers()) {
    const kind = t.receiver.track.kind;
    const track = sent.has(kind) ? null : stream.getTracks().find(s => s.kind === kind);
    if (track) { await t.sender.replaceTrack(track); t.direction = 'sendrecv'; sent.add(kind); }
  }
  await pc.setLocalDescription(); await gathered();
  return onlyLoopback(pc.localDescription.sdp);
}
async function renegotiate(offer) {
  await pc.setRemoteDescription({type: 'offer', sdp: offer});
  await pc.setLocalDescription(); await gathered();
  return onlyLoopback(pc.localDescription.sdp);
}
async function reoffer(keep) {  // a node-initiated offer, keeping the call's codec first
  const video = pc.getTransceivers().find(t => t.receiver.track.kind === 'video');
  const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
  video.setCodecPreferences([...codecs.filter(c => c.mimeType === 'video/' + keep),
                             ...codecs.filter(c => c.mimeType === 'video/rtx')]);
  await pc.setLocalDescription(); await gathered();
  return onlyLoopback(pc.localDescription.sdp);
}
async function accept(answerSdp) {
  await pc.setRemoteDescription({type: 'answer', sdp: answerSdp});
}
async function counters() {
  const out = {connection: pc ? pc.connectionState : 'new',
               signaling: pc ? pc.signalingState : ''};
  if (!pc) return out;
  const report = await pc.getStats();
  report.forEach(r => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') Object.assign(out, {
      video_frames_decoded: r.framesDecoded, video_width: r.frameWidth,
      video_height: r.frameHeight, video_codec: (report.get(r.codecId) || {}).mimeType});
    if (r.type === 'inbound-rtp' && r.kind === 'audio')
      out.audio_packets_received = r.packetsReceived;
    if (r.type === 'outbound-rtp' && r.kind === 'video') Object.assign(out, {
      video_frames_sent: r.framesSent, sent_codec: (report.get(r.codecId) || {}).mimeType});
    if (r.type === 'outbound-rtp' && r.kind === 'audio') out.audio_packets_sent = r.packetsSent;
  });
  return out;
}
function close() { if (pc) pc.close(); if (stream) stream.getTracks().forEach(t => t.stop()); }
</script></body></html>"""


class ChromiumFarEnd:
    """One call's far end: a Chromium page with one RTCPeerConnection (a `FarEndPeer`)."""

    def __init__(self, page: Any, label: str) -> None:
        self.page = page
        self.label = label
        self._closed = False
        self._awaiting_answer = False
        self._last: dict[str, Any] = {}

    @property
    def closed(self) -> bool:
        return self._closed

    async def answer(self, offer_sdp: str) -> str:
        return str(await self.page.evaluate("([o, w, h]) => answer(o, w, h)",
                                            [offer_sdp, *CAMERA]))

    async def renegotiate(self, offer_sdp: str) -> str:
        return str(await self.page.evaluate("(o) => renegotiate(o)", offer_sdp))

    async def create_offer(self) -> str:
        if self._awaiting_answer:
            raise ValueError("a negotiation is already in progress")
        codec = (await self.counters()).get("sent_codec", "video/VP8").split("/")[-1]
        offer = str(await self.page.evaluate("(c) => reoffer(c)", codec))
        self._awaiting_answer = True
        return offer

    async def apply_answer(self, answer_sdp: str) -> None:
        if not self._awaiting_answer:
            raise ValueError("no offer of ours is waiting for an answer")
        await self.page.evaluate("(a) => accept(a)", answer_sdp)
        self._awaiting_answer = False

    async def counters(self) -> dict[str, Any]:
        """Chromium's getStats figures of this call, now."""
        self._last = dict(await self.page.evaluate("counters()"))
        return self._last

    def stats(self) -> dict[str, Any]:
        return {"connection_state": self._last.get("connection", "new"), "chromium": self._last}

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self.page.evaluate("close()")
            await self.page.close()


class ChromiumFarEnds:
    """A `FarEndFactory` answering every call with a new page of one headless Chromium.

    The factory is called synchronously by the node; the page is opened on the
    first `answer` (async), so `far_ends` lists every far end in call order.
    """

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.far_ends: list[LazyChromiumFarEnd] = []

    def __call__(self, label: str, status: Callable[[], Any],
                 ice_blackhole: bool) -> LazyChromiumFarEnd:
        if ice_blackhole:
            raise ValueError("the Chromium far end has no ICE black hole")
        far_end = LazyChromiumFarEnd(self._browser, label)
        self.far_ends.append(far_end)
        return far_end


class LazyChromiumFarEnd(ChromiumFarEnd):
    """A `ChromiumFarEnd` whose page opens when the kiosk's offer arrives."""

    def __init__(self, browser: Any, label: str) -> None:
        super().__init__(page=None, label=label)
        self._browser = browser

    async def answer(self, offer_sdp: str) -> str:
        page = await self._browser.new_page()
        await page.route(PAGE_URL, lambda route: route.fulfill(
            body=PAGE, content_type="text/html"))
        await page.goto(PAGE_URL)
        self.page = page  # only now: `counters()` must never run on a page still loading
        return await super().answer(offer_sdp)

    async def counters(self) -> dict[str, Any]:
        return {} if self.page is None else await super().counters()

    async def close(self) -> None:
        if self.page is None:
            self._closed = True
            return
        await super().close()
