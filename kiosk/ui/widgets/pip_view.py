"""The small picture beside the self-view while someone presents: tap it to swap."""

from __future__ import annotations

from kivy.uix.behaviors import ButtonBehavior

from kiosk.ui.widgets.hideable import HideableMixin
from kiosk.ui.widgets.video_view import VideoView


class PipView(HideableMixin, ButtonBehavior, VideoView):
    """A VideoView that is also a button (people video or slides, whichever is small)."""
