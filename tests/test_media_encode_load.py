"""The adaptive send resolution: steps down when encoding overruns the frame time, back up
when there is room, never above the configured camera size."""

from __future__ import annotations

from kiosk.media.encode_load import EncodeLoadScaler, ScalerTuning, fit_within

FPS = 30
FRAME = 1 / FPS


def feed(scaler: EncodeLoadScaler, encode_seconds: float, start: float, seconds: float) -> float:
    """Frames at 30 fps for `seconds`, each taking `encode_seconds`; returns the end time."""
    now = start
    for _ in range(round(seconds * FPS)):
        now += FRAME
        scaler.record(encode_seconds, now)
    return now


def test_sizes_follow_the_ladder_from_the_ceiling() -> None:
    scaler = EncodeLoadScaler((1280, 720), FPS)
    assert scaler.size_for(1280, 720) == (1280, 720)
    assert scaler.size_for(1920, 1080) == (1280, 720)  # the camera gives more: the ceiling
    assert scaler.size_for(640, 480) == (640, 480)  # less: never scaled up
    assert fit_within(1366, 768, (1280, 720)) == (1280, 718)  # even, aspect kept


def test_overuse_steps_down_to_540p_then_360p_and_no_further() -> None:
    scaler = EncodeLoadScaler((1280, 720), FPS)
    now = feed(scaler, 0.010, 0.0, 3.0)  # 30 % of the frame time: fine
    assert scaler.level == 0
    now = feed(scaler, 0.040, now, 2.5)  # longer than the frame time
    assert scaler.size_for(1280, 720) == (960, 540)
    now = feed(scaler, 0.040, now, 3.0)  # still too slow at 540p
    assert scaler.size_for(1280, 720) == (640, 360)
    feed(scaler, 0.040, now, 10.0)
    assert scaler.level == 2 and scaler.steps_down == 2


def test_headroom_steps_back_up_after_the_wait_and_a_bounce_doubles_it() -> None:
    tuning = ScalerTuning(hold_seconds=1.0, up_wait_seconds=4.0, bounce_seconds=10.0)
    scaler = EncodeLoadScaler((1280, 720), FPS, tuning)
    now = feed(scaler, 0.040, 0.0, 1.5)
    assert scaler.level == 1
    now = feed(scaler, 0.005, now, 3.0)  # plenty of room, but the wait is 4 s
    assert scaler.level == 1
    now = feed(scaler, 0.005, now, 1.5)
    assert scaler.level == 0 and scaler.steps_up == 1
    now = feed(scaler, 0.040, now, 1.5)  # 720p is too much after all: down again, soon
    assert scaler.level == 1
    now = feed(scaler, 0.005, now, 6.0)  # the wait is now 8 s
    assert scaler.level == 1
    feed(scaler, 0.005, now, 2.5)
    assert scaler.level == 0


def test_short_spikes_do_not_change_the_size() -> None:
    scaler = EncodeLoadScaler((1280, 720), FPS)
    now = feed(scaler, 0.010, 0.0, 3.0)
    for _ in range(5):  # a few slow frames (a keyframe, a busy moment)
        now = feed(scaler, 0.080, now, 0.1)
        now = feed(scaler, 0.010, now, 1.0)
    assert scaler.level == 0
