"""The kiosk's colour themes: `KIOSK_THEME=dark` (the default), `light` and `high-contrast`.

Each is a complete `Palette`: every kv rule and widget takes its colours from
the running app's theme, so a light theme is light on every screen. Every
text/background pair the screens use is listed in `kiosk.ui.theme.CONTRAST_PAIRS`
and checked against WCAG AA for each palette here (tests/test_ui_theme_contrast.py).
"""

from __future__ import annotations

from types import MappingProxyType

from kiosk.ui.theme import Palette, hex_rgba

DARK = Palette()

LIGHT = Palette(
    background=hex_rgba("#F4F6FA"),
    background_top=hex_rgba("#E8EDF4"),
    surface=hex_rgba("#FFFFFF"),
    surface_pressed=hex_rgba("#DCE3EE"),
    surface_border=hex_rgba("#8C9AB0"),
    primary=hex_rgba("#1D56D8"),
    primary_pressed=hex_rgba("#1644AE"),
    danger=hex_rgba("#C0271B"),
    danger_pressed=hex_rgba("#9A1F15"),
    danger_text=hex_rgba("#AE2116"),
    success=hex_rgba("#137A43"),
    warning=hex_rgba("#8F5B00"),
    text=hex_rgba("#0F1A2B"),
    text_muted=hex_rgba("#45536A"),
    text_on_accent=hex_rgba("#FFFFFF"),
    text_on_warning=hex_rgba("#FFFFFF"),
    disabled=hex_rgba("#E3E7ED"),
    text_disabled=hex_rgba("#6B778A"),
    video_background=hex_rgba("#DCE2EA"),
    overlay=hex_rgba("#FFFFFF", 0.6),
    bar=hex_rgba("#FFFFFF", 0.9),
    panel=hex_rgba("#FFFFFF", 0.96),
    idle_background=hex_rgba("#E6EBF2"),
    idle_text=hex_rgba("#4A586E"),
)

HIGH_CONTRAST = Palette(
    background=hex_rgba("#000000"),
    background_top=hex_rgba("#000000"),
    surface=hex_rgba("#141414"),
    surface_pressed=hex_rgba("#3A3A3A"),
    surface_border=hex_rgba("#FFFFFF"),
    primary=hex_rgba("#2D5BE3"),
    primary_pressed=hex_rgba("#1C3FA8"),
    danger=hex_rgba("#E00000"),
    danger_pressed=hex_rgba("#A00000"),
    danger_text=hex_rgba("#FF9E9E"),
    success=hex_rgba("#5CFF8F"),
    warning=hex_rgba("#FFD400"),
    text=hex_rgba("#FFFFFF"),
    text_muted=hex_rgba("#E6E6E6"),
    text_on_accent=hex_rgba("#FFFFFF"),
    text_on_warning=hex_rgba("#000000"),
    disabled=hex_rgba("#262626"),
    text_disabled=hex_rgba("#A6A6A6"),
    video_background=hex_rgba("#000000"),
    overlay=hex_rgba("#000000", 0.8),
    bar=hex_rgba("#000000", 0.95),
    panel=hex_rgba("#000000", 0.97),
    idle_background=hex_rgba("#000000"),
    idle_text=hex_rgba("#D9D9D9"),
)

PALETTES = MappingProxyType({"dark": DARK, "light": LIGHT, "high-contrast": HIGH_CONTRAST})
