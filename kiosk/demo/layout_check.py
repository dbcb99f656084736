"""Finds text that does not fit on the screen on top: the autopilot's check of each screenshot.

A label overflows when its rendered text is wider (one line) or taller (wrapped)
than the label, when it sticks out of the button it belongs to, or when it leaves
the window. Labels inside a ScrollView may be off screen by design and are only
checked against their own size. Hidden widgets (opacity 0) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.ui.widgets.kiosk_button import RoundedButton

SLACK = 2.0  # pixels: rounding of texture sizes


@dataclass(frozen=True)
class Overflow:
    """One label whose text does not fit, and why."""

    text: str
    problem: str

    def __str__(self) -> str:
        return f"{self.text!r}: {self.problem}"


def _visible(widget: Widget) -> bool:
    node: Widget | None = widget
    while node is not None:
        if getattr(node, "opacity", 1) <= 0:
            return False
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return True


def _ancestor(widget: Widget, kind: type) -> Widget | None:
    node = widget.parent
    while isinstance(node, Widget):
        if isinstance(node, kind):
            return node
        node = node.parent
    return None


def _box(widget: Widget) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def _text_box(label: Label) -> tuple[float, float, float, float]:
    """Where the texture is drawn: centred in the label (Kivy's default)."""
    x0, y0, x1, y1 = _box(label)
    width, height = label.texture_size
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def _outside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (inner[0] < outer[0] - SLACK or inner[1] < outer[1] - SLACK
            or inner[2] > outer[2] + SLACK or inner[3] > outer[3] + SLACK)


def find_overflows(root: Widget, window_size: tuple[float, float]) -> list[Overflow]:
    """Every visible label under `root` whose text does not fit."""
    found: list[Overflow] = []
    window = (0.0, 0.0, float(window_size[0]), float(window_size[1]))
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text.strip() or not _visible(widget):
            continue
        if widget.shorten:
            continue  # shortened on purpose ("…"), never drawn beyond its box
        width, height = widget.texture_size
        wraps = widget.text_size[0] is not None
        if not wraps and width > widget.width + SLACK:
            found.append(Overflow(widget.text, f"{width:.0f} px wide in {widget.width:.0f} px"))
        elif wraps and height > widget.height + SLACK:
            found.append(Overflow(widget.text, f"{height:.0f} px high in {widget.height:.0f} px"))
        drawn = _text_box(widget)
        button = _ancestor(widget, RoundedButton)
        if button is not None and _outside(drawn, _box(button)):
            found.append(Overflow(widget.text, "sticks out of its button"))
        if _ancestor(widget, ScrollView) is None and _outside(drawn, window):
            found.append(Overflow(widget.text, "leaves the screen"))
    return found
