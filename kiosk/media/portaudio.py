"""Loading `sounddevice` (PortAudio), whose failure only makes sound devices unavailable."""

from __future__ import annotations

import importlib
from types import ModuleType

from kiosk.media.opened_source import DeviceUnavailable

SAMPLE_RATE = 48000  # Opus' native rate: no resampling on the way to the encoder
FRAME_SAMPLES = 960  # 20 ms, one Opus packet


def load_sounddevice() -> ModuleType:
    """The `sounddevice` module, or DeviceUnavailable when PortAudio is not installed."""
    try:
        return importlib.import_module("sounddevice")
    except OSError:
        # sounddevice raises OSError when the system library is missing.
        raise DeviceUnavailable("sound system not installed (PortAudio library missing)") from None
    except ImportError:
        raise DeviceUnavailable("sound support not installed (sounddevice missing)") from None


def device_argument(choice: str) -> str | None:
    """The `device=` value for sounddevice: None for the system default, else the name."""
    return None if choice.strip().lower() == "default" else choice.strip()


def describe_error(what: str, choice: str, exc: Exception) -> str:
    """One human line for a PortAudio failure, e.g. 'no microphone found (PortAudio: ...)'."""
    detail = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ValueError) and "No " in detail:
        return f"{what} {choice!r} not found"
    if choice.strip().lower() == "default":
        return f"no {what} found ({detail})"
    return f"{what} {choice!r} cannot be opened ({detail})"
