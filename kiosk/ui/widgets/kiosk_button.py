"""Large rounded touch buttons with an icon, and visible press feedback."""

from __future__ import annotations

from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout


class RoundedButton(ButtonBehavior, BoxLayout):
    """A button drawn as a rounded rectangle; darker while pressed, greyed when disabled."""

    text = StringProperty("")
    icon = StringProperty("")
    # Colours and sizes come from the app's theme (kiosk_button.kv); none is fixed here.
    bg_color = ColorProperty((0, 0, 0, 0))
    bg_pressed = ColorProperty((0, 0, 0, 0))
    fg_color = ColorProperty((0, 0, 0, 0))
    border_color = ColorProperty((0, 0, 0, 0))
    font_size = NumericProperty(19.0)
    icon_size = NumericProperty(30.0)
    radius = NumericProperty(14.0)
    natural_width = NumericProperty(0.0)  # the width its caption needs at full size (kv)


class KioskButton(RoundedButton):
    """Icon and text side by side, centred. Styles (`PrimaryButton`, `DangerButton`,
    `SurfaceButton`, `GhostButton`) are kv rules in kiosk_button.kv that set colours."""


class IconButton(RoundedButton):
    """A large icon with a short caption under it (the in-call control bar).

    A caption of several words may wrap onto `caption_lines` lines rather than shrink
    far (a long translation on a narrow button); `natural_height` is then the height
    the button needs for it.
    """

    caption_lines = NumericProperty(1)
    natural_height = NumericProperty(0.0)  # kv: padding + icon + caption
