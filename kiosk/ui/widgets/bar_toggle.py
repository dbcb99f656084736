"""A control-bar button that only exists when it applies (captions, layout)."""

from __future__ import annotations

from kiosk.ui.widgets.hideable import HideableMixin
from kiosk.ui.widgets.kiosk_button import IconButton


class BarToggle(HideableMixin, IconButton):
    """An IconButton that takes no room and no touches while not `shown`."""
