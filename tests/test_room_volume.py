"""The room's speaker volume: settings, remembered across restarts in KIOSK_STATE_DIR, and
applied to the test speaker of a real call (the sink's measured level follows it)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from kiosk.conference import ConferenceSession
from kiosk.config import ConfigError, Settings, load_settings
from kiosk.media.call_factory import AiortcMediaFactory
from kiosk.room_audio.output_mixer import SinkGain, choose_mixer
from kiosk.room_audio.room_volume import RoomVolume
from kiosk.session_state import SessionState
from kiosk.simulator.background import SimulatorThread

NODE = {"PEXIP_NODE": "https://node.example.com"}


def test_state_dir_and_volume_default_settings(tmp_path: Path) -> None:
    settings = load_settings(None, {**NODE, "KIOSK_STATE_DIR": str(tmp_path),
                                    "KIOSK_VOLUME_DEFAULT": "35 %"})
    assert settings.state_dir == tmp_path and settings.volume_default == 35
    defaults = load_settings(None, NODE)
    assert defaults.state_dir == Path("/var/lib/pexip-kiosk") and defaults.volume_default == 80
    with pytest.raises(ConfigError, match="KIOSK_VOLUME_DEFAULT"):
        load_settings(None, {**NODE, "KIOSK_VOLUME_DEFAULT": "150"})
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(ConfigError, match="KIOSK_STATE_DIR"):
        load_settings(None, {**NODE, "KIOSK_STATE_DIR": str(afile)})


async def test_volume_survives_a_restart(tmp_path: Path) -> None:
    first = RoomVolume(tmp_path / "state", default=80, speaker="test")
    assert first.level == 80  # nothing remembered yet
    assert first.step(-1) == 70 and first.step(-1) == 60
    first.set(33)
    await first.flush()
    restarted = RoomVolume(tmp_path / "state", default=80, speaker="test")
    assert restarted.level == 33
    assert restarted.step(+1) == 40 and restarted.set(250) == 100 and restarted.set(-5) == 0
    await restarted.flush()
    assert RoomVolume(tmp_path / "state", default=80).level == 0


async def test_a_broken_state_file_falls_back_to_the_default(tmp_path: Path) -> None:
    (tmp_path / "volume.json").write_text("{not json")
    assert RoomVolume(tmp_path, default=55).level == 55
    (tmp_path / "volume.json").write_text('{"volume": 900}')
    assert RoomVolume(tmp_path, default=55).level == 55


async def test_an_unwritable_state_dir_keeps_the_volume_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the directory should be")
    volume = RoomVolume(blocker / "state", default=50, speaker="test")
    volume.set(20)
    await volume.flush()  # logged, not raised
    assert volume.level == 20


def test_the_test_speaker_uses_the_sink_gain() -> None:
    assert isinstance(choose_mixer("test"), SinkGain)


async def peak(sink: object, frames: int = 15) -> int:
    """The loudest sample over the next `frames` frames the sink measures."""
    loudest, seen = 0, sink.frames  # type: ignore[attr-defined]
    counted = seen + 1  # the newest frame may have been measured before the change
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while sink.frames < seen + frames:  # type: ignore[attr-defined]
        assert loop.time() < deadline, "no sound arrives"
        if sink.frames > counted:  # type: ignore[attr-defined]
            loudest = max(loudest, sink.last_peak)  # type: ignore[attr-defined]
        await asyncio.sleep(0.005)
    return loudest


async def test_the_volume_changes_the_test_speakers_measured_level(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    settings = dataclasses.replace(sim_settings, camera="test", microphone="test",
                                   speaker="test", state_dir=tmp_path)
    session = ConferenceSession(settings, media_factory=AiortcMediaFactory(settings))
    await session.join("meet.open")
    assert session.snapshot.state is SessionState.CONNECTED
    volume = RoomVolume(settings.state_dir, default=100, speaker=settings.speaker)
    await volume.start()
    volume.attach(session.media_call)
    sink = session.media_call.speaker_sink  # type: ignore[union-attr]
    full = await peak(sink)
    assert full > 1000, "the far end's tone is audible at 100 %"
    volume.set(20)
    quiet = await peak(sink)
    assert quiet < full * 0.35, (full, quiet)
    volume.set(0)
    assert await peak(sink) == 0
    await session.leave()
