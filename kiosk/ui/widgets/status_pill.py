"""A small rounded badge with an icon and a few words ("Microphone muted")."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout


class StatusPill(BoxLayout):
    """Visible only while `shown`; takes no room when hidden."""

    icon = StringProperty("")
    text = StringProperty("")
    shown = BooleanProperty(False)
    # Colours come from the app's theme (status_pill.kv); none is fixed here.
    bg = ColorProperty((0, 0, 0, 0))
    fg = ColorProperty((0, 0, 0, 0))
