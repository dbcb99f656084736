"""Loading `sounddevice` (PortAudio), whose failure only makes sound devices unavailable."""

from __future__ import annotations

import importlib
from types import ModuleType

from kiosk.i18n.message import Message, MessageText, fixed_message
from kiosk.media.opened_source import DeviceUnavailable

NO_PORTAUDIO = fixed_message("portaudio_missing",
                             "sound system not installed (PortAudio library missing)")
NO_SOUNDDEVICE = fixed_message("sounddevice_missing",
                               "sound support not installed (sounddevice missing)")
# Whole sentences per device (never "{device} not found" glued in another language).
_SOUND_FAILURES = {
    "microphone": (
        MessageText("microphone_not_found", "microphone '{choice}' not found"),
        MessageText("microphone_none_found", "no microphone found ({detail})"),
        MessageText("microphone_cannot_open", "microphone '{choice}' cannot be opened ({detail})"),
    ),
    "speaker": (
        MessageText("speaker_not_found", "speaker '{choice}' not found"),
        MessageText("speaker_none_found", "no speaker found ({detail})"),
        MessageText("speaker_cannot_open", "speaker '{choice}' cannot be opened ({detail})"),
    ),
}

SAMPLE_RATE = 48000  # Opus' native rate: no resampling on the way to the encoder
FRAME_SAMPLES = 960  # 20 ms, one Opus packet


def load_sounddevice() -> ModuleType:
    """The `sounddevice` module, or DeviceUnavailable when PortAudio is not installed."""
    try:
        return importlib.import_module("sounddevice")
    except OSError:
        # sounddevice raises OSError when the system library is missing.
        raise DeviceUnavailable(NO_PORTAUDIO) from None
    except ImportError:
        raise DeviceUnavailable(NO_SOUNDDEVICE) from None


def device_argument(choice: str) -> str | None:
    """The `device=` value for sounddevice: None for the system default, else the name."""
    return None if choice.strip().lower() == "default" else choice.strip()


def describe_error(what: str, choice: str, exc: Exception) -> Message:
    """One human line for a PortAudio failure, e.g. 'no microphone found (PortAudio: ...)'."""
    detail = str(exc).strip() or type(exc).__name__
    not_found, none_found, cannot_open = _SOUND_FAILURES[what]
    if isinstance(exc, ValueError) and "No " in detail:
        return not_found(choice=choice)
    if choice.strip().lower() == "default":
        return none_found(detail=detail)
    return cannot_open(choice=choice, detail=detail)
