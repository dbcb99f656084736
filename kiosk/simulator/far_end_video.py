"""What the simulator's far end shows the kiosk: the labelled pattern, or a meeting's picture.

- `pattern` (the default): colour bars with the room's status label
  (`pattern_video.py`), encoded live by aiortc, 640x360@30 unless a size is
  given. Cheap enough for the many functional tests and shows the room's state.
- `meeting`: what a real meeting sends, at least 1280x720@30 with detail and
  motion (FFmpeg's `testsrc2`) at the video share of the token's
  `bandwidth_in` (or the rate given). Pre-encoded once into VP8 and H.264 clips
  (`recorded_clips.py`, cached) and sent as packets in a loop, so the far end
  costs almost no CPU of its own while the kiosk decodes a real call's stream.
  No label: the kiosk shows its own waiting screen.

Setting text (`pexip-kiosk sim --far-end-video`): `pattern`, `meeting`, or
either with a size, rate and bit rate: `meeting:1920x1080@30:2000k`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from aiortc import MediaStreamTrack

from kiosk.media.bitrate_cap import video_bitrate_cap_bps
from kiosk.simulator.clip_video import ClipPackets, EncodedClipTrack
from kiosk.simulator.pattern_video import PatternStatus, PatternVideoTrack
from kiosk.simulator.recorded_clips import ClipKind, ClipSpec, ensure_clip

MEETING_CLIP_SECONDS = 10.0
_SPEC = re.compile(r"^(?P<picture>[a-z]+)(?::(?P<w>\d+)x(?P<h>\d+))?(?:@(?P<fps>\d+))?"
                   r"(?::(?P<kbps>\d+)k)?$")
CODEC_CLIPS = {"VP8": ClipKind.VP8, "H264": ClipKind.H264}


class FarEndPicture(Enum):
    """The far end's picture."""

    PATTERN = "pattern"
    MEETING = "meeting"


@dataclass(frozen=True)
class FarEndVideo:
    """The far end's video: picture, size, rate and (for `meeting`) bit rate."""

    picture: FarEndPicture = FarEndPicture.PATTERN
    width: int = 640
    height: int = 360
    fps: int = 30
    bitrate_kbps: int | None = None  # meeting: None = the video share of bandwidth_in
    clip_dir: Path | None = None  # meeting: where the clips are cached (None: the default)

    @classmethod
    def meeting(cls, width: int = 1280, height: int = 720, fps: int = 30,
                bitrate_kbps: int | None = None, clip_dir: Path | None = None) -> FarEndVideo:
        """A real meeting's picture (1280x720@30 at bandwidth_in unless told otherwise)."""
        return cls(FarEndPicture.MEETING, width, height, fps, bitrate_kbps, clip_dir)

    @classmethod
    def parse(cls, text: str, clip_dir: Path | None = None) -> FarEndVideo:
        """`pattern`, `meeting`, or `meeting:1920x1080@30:2000k`; ValueError if malformed."""
        match = _SPEC.match(text.strip().lower())
        if match is None or match["picture"] not in {p.value for p in FarEndPicture}:
            raise ValueError(f"{text!r} is not pattern or meeting[:WxH][@FPS][:KBPSk]")
        picture = FarEndPicture(match["picture"])
        video = cls.meeting() if picture is FarEndPicture.MEETING else cls()
        if match["w"]:
            video = replace(video, width=int(match["w"]), height=int(match["h"]))
        if match["fps"]:
            video = replace(video, fps=int(match["fps"]))
        if match["kbps"]:
            video = replace(video, bitrate_kbps=int(match["kbps"]))
        if not (16 <= video.width <= 3840 and 16 <= video.height <= 2160 and 1 <= video.fps <= 60
                and video.width % 2 == 0 and video.height % 2 == 0):
            raise ValueError(f"{text!r}: the size must be even, up to 3840x2160, at 1-60 fps")
        return replace(video, clip_dir=clip_dir)

    def describe(self) -> str:
        """The setting text for this video (round-trips through `parse`)."""
        text = f"{self.picture.value}:{self.width}x{self.height}@{self.fps}"
        return text + (f":{self.bitrate_kbps}k" if self.bitrate_kbps else "")

    def clip_spec(self, codec: str, bandwidth_in_kbps: int) -> ClipSpec:
        """The meeting clip for `codec` ("VP8" or "H264")."""
        bitrate = self.bitrate_kbps or (video_bitrate_cap_bps(bandwidth_in_kbps) or 0) // 1000
        return ClipSpec(CODEC_CLIPS[codec], self.width, self.height, self.fps,
                        seconds=MEETING_CLIP_SECONDS, bitrate_kbps=bitrate)


class FarEndVideoSource:
    """Makes the far end's video track of each call, as `FarEndVideo` says.

    For `meeting`, `prepare()` makes (or finds) the clips and loads their
    packets once; every call then shares them.
    """

    def __init__(self, video: FarEndVideo, bandwidth_in_kbps: int) -> None:
        self.video = video
        self._bandwidth_in_kbps = bandwidth_in_kbps
        self._clips: dict[str, ClipPackets] = {}

    def prepare(self) -> None:
        """Blocking (encodes the clips the first time): run it in a thread before serving."""
        if self.video.picture is not FarEndPicture.MEETING or self._clips:
            return
        for codec in CODEC_CLIPS:
            spec = self.video.clip_spec(codec, self._bandwidth_in_kbps)
            self._clips[codec] = ClipPackets.load(ensure_clip(spec, self.video.clip_dir), spec.fps)

    def track(self, status: Callable[[], PatternStatus],
              codec: Callable[[], str]) -> MediaStreamTrack:
        """A new video track for one call (`codec()`: the codec the call negotiated)."""
        if self.video.picture is FarEndPicture.PATTERN:
            return PatternVideoTrack(status, self.video.width, self.video.height, self.video.fps)
        if not self._clips:
            raise RuntimeError("FarEndVideoSource.prepare() was not run")
        return EncodedClipTrack(self._clips, codec)
