"""Loads the kiosk's kv layouts (widgets first, then screens) exactly once."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

# Imported for their side effect: Kivy's Factory learns each widget class the kv files use.
from kiosk.ui.widgets import (  # noqa: F401
    agenda_card,
    bar_toggle,
    captions_overlay,
    detach_when_transparent,
    entry_display,
    fit_label,
    hideable,
    keypad,
    kiosk_button,
    layout_picker,
    long_press,
    meeting_overlays,
    participants_panel,
    pip_view,
    progress_spinner,
    self_view,
    status_pill,
    toast_stack,
    video_view,
    volume_control,
)

UI_DIR = Path(__file__).resolve().parent.parent
WIDGET_KV = (
    "kiosk_button",
    "keypad",
    "entry_display",
    "progress_spinner",
    "status_pill",
    "hideable",
    "layout_picker",
    "captions_overlay",
    "toast_stack",
    "volume_control",
    "participants_panel",
    "meeting_overlays",
    "agenda_card",
)
SCREEN_KV = (
    "kiosk_screen",
    "home",
    "meeting_id",
    "pin",
    "connecting",
    "waiting",
    "in_call",
    "error",
    "idle",
    "admin_unlock",
    "admin",
)


def kv_paths() -> list[Path]:
    """Every kv file of the UI, in load order."""
    widgets = [UI_DIR / "widgets" / f"{name}.kv" for name in WIDGET_KV]
    screens = [UI_DIR / "screens" / f"{name}.kv" for name in SCREEN_KV]
    return widgets + screens


def load_kv_files() -> None:
    """Load each kv file once (Kivy keeps rules for the life of the process)."""
    for path in kv_paths():
        if str(path) not in Builder.files:
            Builder.load_file(str(path))
