"""The room's own picture in a corner of the call screen; a tap hides it."""

from __future__ import annotations

from kivy.uix.behaviors import ButtonBehavior

from kiosk.ui.widgets.hideable import HideableMixin
from kiosk.ui.widgets.video_view import VideoView


class SelfView(HideableMixin, ButtonBehavior, VideoView):
    """A mirrored VideoView of the local camera; touches pass through while hidden."""
