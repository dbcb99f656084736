"""Registers the kiosk's text and icon fonts with Kivy under the theme's names."""

from __future__ import annotations

from kivy.core.text import LabelBase

from kiosk.asset_files import asset
from kiosk.ui.theme import Fonts


def register_fonts(fonts: Fonts) -> None:
    """Make the theme's font names usable as `font_name` in kv and Python."""
    regular = str(asset("fonts", "Inter-Regular.otf"))
    semibold = str(asset("fonts", "Inter-SemiBold.otf"))
    LabelBase.register(fonts.text, regular, fn_bold=semibold)
    LabelBase.register(fonts.light, str(asset("fonts", "Inter-Light.otf")))
    LabelBase.register(fonts.medium, str(asset("fonts", "Inter-Medium.otf")), fn_bold=semibold)
    LabelBase.register(fonts.icons, str(asset("icons", "materialdesignicons-webfont.ttf")))
