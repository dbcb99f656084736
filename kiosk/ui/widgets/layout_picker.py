"""The host's layout picker: the node's own thumbnails in a grid, the current one marked."""

from __future__ import annotations

from collections.abc import Sequence

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from kiosk.meeting_view_state import LayoutChoice
from kiosk.ui.widgets.hideable import HideableBox
from kiosk.ui.widgets.svg_thumbnail import SvgThumbnails

THUMB_WIDTH = 128  # design pixels


class LayoutThumb(ButtonBehavior, Widget):
    """One layout: its thumbnail, framed when it is the meeting's layout now."""

    layout = StringProperty("")
    texture = ObjectProperty(None, allownone=True)
    selected = BooleanProperty(False)


class LayoutPicker(HideableBox):
    """A panel of LayoutThumbs; dispatches `on_choose(layout)` when one is tapped."""

    current = StringProperty("")

    __events__ = ("on_choose",)

    def __init__(self, **kwargs: object) -> None:
        self._thumbnails = SvgThumbnails()
        self._shown_layouts: tuple[tuple[str, str], ...] = ()
        self._scale = 0.0
        super().__init__(**kwargs)

    def show_choice(self, choice: LayoutChoice, scale: float) -> None:
        """Show `choice` (rebuilt only when the layouts changed, redrawn at a new UI scale)."""
        if choice.thumbnails != self._shown_layouts:
            self._shown_layouts = choice.thumbnails
            self._scale = scale
            self._rebuild(choice.thumbnails, int(THUMB_WIDTH * scale))
        elif scale != self._scale:
            self._scale = scale
            self._redraw(int(THUMB_WIDTH * scale))
        self.current = choice.current

    def _rebuild(self, thumbnails: Sequence[tuple[str, str]], width: int) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        for layout, svg in thumbnails:
            texture = self._thumbnails.texture(svg, width)
            if texture is None:
                continue
            thumb = LayoutThumb(layout=layout, texture=texture,
                                selected=layout == self.current)
            thumb.bind(on_release=lambda button: self.dispatch("on_choose", button.layout))
            grid.add_widget(thumb)

    def _redraw(self, width: int) -> None:
        # The same thumbs (a finger or a test may hold one), drawn at the new size.
        svgs = dict(self._shown_layouts)
        for thumb in self.ids.grid.children:
            texture = self._thumbnails.texture(svgs[thumb.layout], width)
            if texture is not None:
                thumb.texture = texture

    def on_current(self, _instance: object, current: str) -> None:
        for thumb in self.ids.grid.children:
            thumb.selected = thumb.layout == current

    def thumbs(self) -> list[LayoutThumb]:
        """The thumbnails shown, in order (tests and the autopilot tap them)."""
        return list(reversed(self.ids.grid.children))

    def on_choose(self, layout: str) -> None:
        """A layout was tapped."""
