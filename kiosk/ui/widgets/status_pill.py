"""A small rounded badge with an icon and a few words ("Microphone muted")."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.theme import THEME


class StatusPill(BoxLayout):
    """Visible only while `shown`; takes no room when hidden."""

    icon = StringProperty("")
    text = StringProperty("")
    shown = BooleanProperty(False)
    bg = ColorProperty(THEME.palette.danger)
    fg = ColorProperty(THEME.palette.text)
