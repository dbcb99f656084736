"""The simulated node's layouts: `available_layouts`, `layout_svgs`, `transform_layout` and
the `layout` event, with the shapes of Pexip's schema (`@pexip/infinity-api`)."""

from __future__ import annotations

from typing import Any

from kiosk.simulator.protocol_replies import ApiError

# Pexip layout ids: main speaker + small thumbnails, equal grid, adaptive composition.
LAYOUTS = ("1:0", "1:7", "1:21", "2:21", "4:0", "ac")
DEFAULT_LAYOUT = "ac"
_W, _H = 160, 90
_BACK = "#0B1424"
_TILE = "#2F6BFF"
_SMALL = "#7A8BA8"


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="2" fill="{fill}"/>'


def _row(count: int, y: float, h: float) -> list[str]:
    gap = 3
    w = (_W - gap * (count + 1)) / count
    return [_rect(gap + i * (w + gap), y, w, h, _SMALL) for i in range(count)]


def layout_svg(layout: str) -> str:
    """A small thumbnail of `layout` as SVG text (what a node's `layout_svgs` holds)."""
    tiles: list[str] = []
    if layout == "1:0":
        tiles = [_rect(4, 4, _W - 8, _H - 8, _TILE)]
    elif layout == "1:7":
        tiles = [_rect(4, 4, _W - 8, 60, _TILE), *_row(7, 67, 19)]
    elif layout == "1:21":
        tiles = [_rect(30, 4, _W - 60, 46, _TILE), *_row(7, 53, 10), *_row(7, 65, 10),
                 *_row(7, 77, 10)]
    elif layout == "2:21":
        tiles = [_rect(4, 4, 74, 46, _TILE), _rect(82, 4, 74, 46, _TILE),
                 *_row(7, 53, 10), *_row(7, 65, 10), *_row(7, 77, 10)]
    elif layout == "4:0":
        tiles = [_rect(4, 4, 74, 39, _TILE), _rect(82, 4, 74, 39, _TILE),
                 _rect(4, 47, 74, 39, _TILE), _rect(82, 47, 74, 39, _TILE)]
    else:  # adaptive composition
        tiles = [_rect(4, 4, 100, 82, _TILE), _rect(108, 4, 48, 39, _SMALL),
                 _rect(108, 47, 48, 39, _SMALL)]
    body = "".join(tiles)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
            f'viewBox="0 0 {_W} {_H}"><rect width="{_W}" height="{_H}" fill="{_BACK}"/>'
            f"{body}</svg>")


def layout_svgs() -> dict[str, str]:
    """Every layout's thumbnail."""
    return {layout: layout_svg(layout) for layout in LAYOUTS}


def requested_layout(body: dict[str, Any]) -> str:
    """The layout a `transform_layout` body asks for; 400 for anything else."""
    transforms = body.get("transforms")
    if not isinstance(transforms, dict):
        raise ApiError(400, "transforms must be an object")
    layout = transforms.get("layout", transforms.get("host_layout"))
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise ApiError(400, f"Unknown layout: {layout!r}")
    return layout


def layout_event(layout: str) -> dict[str, Any]:
    """The `layout` event for a VMR showing `layout` to hosts and guests."""
    return {
        "view": layout,
        "participants": [],
        "requested_layout": {"primary_screen": {"chair_layout": layout,
                                                "guest_layout": layout}},
        "overlay_text_enabled": True,
    }
