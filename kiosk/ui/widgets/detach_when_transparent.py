"""Takes fully transparent overlays out of the widget tree, and puts them back when shown.

Kivy draws a widget with opacity 0 all the same, and with software GL that costs
real time on every video frame (a hidden keypad cost ~20 ms a frame). Detached,
it costs nothing and catches no touches; re-attached, it keeps its stacking order.
"""

from __future__ import annotations

from collections.abc import Sequence

from kivy.uix.widget import Widget


class DetachWhenTransparent:
    """Keeps each of `managed` (children of `parent`) attached only while its opacity > 0.

    Holds strong references: kv `ids` are weak and a detached widget must survive.
    """

    def __init__(self, parent: Widget, managed: Sequence[Widget]) -> None:
        self._parent = parent
        self._order = list(parent.children)  # Kivy order: top-most first
        self._managed = [w for w in managed if w in self._order]
        for widget in self._managed:
            widget.bind(opacity=self._sync)
        self._sync()

    def _sync(self, *_args: object) -> None:
        for widget in self._managed:
            attached = widget.parent is self._parent
            if widget.opacity > 0 and not attached:
                above = self._order[: self._order.index(widget)]
                index = sum(1 for other in above if other.parent is self._parent)
                self._parent.add_widget(widget, index=index)
            elif widget.opacity <= 0 and attached:
                self._parent.remove_widget(widget)

    def attached(self, widget: Widget) -> bool:
        """True while `widget` is in the tree (drawn)."""
        return widget.parent is self._parent
