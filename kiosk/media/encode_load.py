"""Adaptive send resolution, as libwebrtc adapts to CPU overuse: when encoding takes
too much of the frame time the picture steps down (720p -> 540p -> 360p) and comes
back up when there is room again.

`EncodeLoadScaler` gets each frame's encode time and answers with the size to
send. The load is the encode time over the frame time, smoothed over about a
second; above `overuse` (libwebrtc: 85 %) it steps down, below `underuse` (42 %:
after stepping up, ~1.8x the pixels, it stays under the overuse mark) it steps up.
After any change it waits `hold_seconds` before judging again (the new size must
show its own cost), and an up-step waits `up_wait_seconds`, doubled each time
an up-step had to be taken back soon after, so a board at its limit does not
oscillate. The configured camera size is the ceiling: never above it, never
above the camera's real frames.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

LADDER_SCALES = (1.0, 0.75, 0.5)  # 1280x720 -> 960x540 -> 640x360


@dataclass(frozen=True)
class ScalerTuning:
    """Thresholds and times of `EncodeLoadScaler` (tests shorten the times)."""

    overuse: float = 0.85
    underuse: float = 0.42
    smoothing_seconds: float = 1.0
    hold_seconds: float = 2.0
    up_wait_seconds: float = 5.0
    up_wait_max_seconds: float = 80.0
    bounce_seconds: float = 10.0  # a down-step this soon after an up-step doubles the wait


def even(value: float) -> int:
    """`value` rounded down to an even number of pixels (4:2:0 needs even sizes), at least 2."""
    return max(2, int(value) // 2 * 2)


def fit_within(width: int, height: int, ceiling: tuple[int, int]) -> tuple[int, int]:
    """`width`x`height` scaled down (never up) to fit `ceiling`, aspect kept, even."""
    scale = min(1.0, ceiling[0] / width, ceiling[1] / height)
    if scale >= 1.0:
        return width, height
    return even(width * scale), even(height * scale)


class EncodeLoadScaler:
    """Chooses the sent resolution from the measured encode times (see the module docstring)."""

    def __init__(
        self, ceiling: tuple[int, int], fps: int, tuning: ScalerTuning | None = None
    ) -> None:
        self._ceiling = ceiling
        self._frame_seconds = 1.0 / max(1, fps)
        self._tuning = tuning or ScalerTuning()
        self._alpha = min(1.0, self._frame_seconds / self._tuning.smoothing_seconds)
        self._level = 0
        self._load: float | None = None
        self._changed_at: float | None = None
        self._up_at: float | None = None
        self._up_wait = self._tuning.up_wait_seconds
        self._sizes: dict[tuple[int, int, int], tuple[int, int]] = {}  # by frame size, level
        self.steps_down = 0
        self.steps_up = 0

    @property
    def level(self) -> int:
        """0 = full size, 1 = three quarters, 2 = half."""
        return self._level

    @property
    def load(self) -> float | None:
        """The smoothed encode time / frame time, or None right after a change."""
        return self._load

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        """The size to send a camera frame of `width`x`height` at, at the current level."""
        key = (width, height, self._level)
        size = self._sizes.get(key)
        if size is None:
            top_w, top_h = fit_within(width, height, self._ceiling)
            scale = LADDER_SCALES[self._level]
            size = (top_w, top_h) if scale == 1.0 else (even(top_w * scale), even(top_h * scale))
            self._sizes[key] = size
        return size

    def record(self, encode_seconds: float, now: float) -> None:
        """One frame took `encode_seconds` to encode; may change the level."""
        sample = encode_seconds / self._frame_seconds
        load = self._load
        self._load = sample if load is None else load + self._alpha * (sample - load)
        if self._changed_at is None:
            self._changed_at = now
        tuning = self._tuning
        if now - self._changed_at < tuning.hold_seconds:
            return
        if self._load > tuning.overuse and self._level < len(LADDER_SCALES) - 1:
            if self._up_at is not None and now - self._up_at < tuning.bounce_seconds:
                self._up_wait = min(self._up_wait * 2, tuning.up_wait_max_seconds)
            self._change(self._level + 1, now)
            self.steps_down += 1
        elif (
            self._load < tuning.underuse
            and self._level > 0
            and now - self._changed_at >= self._up_wait
        ):
            self._change(self._level - 1, now)
            self._up_at = now
            self.steps_up += 1

    def _change(self, level: int, now: float) -> None:
        log.info(
            "Encoding used %.0f %% of the frame time: sending at %d %% of the camera size",
            100 * (self._load or 0), 100 * LADDER_SCALES[level],
        )
        self._level = level
        self._load = None
        self._changed_at = now
