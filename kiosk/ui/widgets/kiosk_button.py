"""Large rounded touch buttons with an icon, and visible press feedback."""

from __future__ import annotations

from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.theme import THEME


class RoundedButton(ButtonBehavior, BoxLayout):
    """A button drawn as a rounded rectangle; darker while pressed, greyed when disabled."""

    text = StringProperty("")
    icon = StringProperty("")
    bg_color = ColorProperty(THEME.palette.surface)
    bg_pressed = ColorProperty(THEME.palette.surface_pressed)
    fg_color = ColorProperty(THEME.palette.text)
    border_color = ColorProperty((0, 0, 0, 0))
    font_size = NumericProperty(THEME.sizes.font_body)
    icon_size = NumericProperty(THEME.sizes.font_icon)
    radius = NumericProperty(THEME.sizes.radius)


class KioskButton(RoundedButton):
    """Icon and text side by side, centred. Styles (`PrimaryButton`, `DangerButton`,
    `SurfaceButton`, `GhostButton`) are kv rules in kiosk_button.kv that set colours."""


class IconButton(RoundedButton):
    """A large icon with a short caption under it (the in-call control bar)."""
