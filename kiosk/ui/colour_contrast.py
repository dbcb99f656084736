"""WCAG 2.x contrast between two colours (relative luminance), with see-through backgrounds.

A translucent background (the in-call bar over video) is judged on the worst
case: composited over black and over white, whichever gives the lower ratio.
"""

from __future__ import annotations

RGBA = tuple[float, float, float, float]
AA_NORMAL = 4.5
AA_LARGE = 3.0  # large text (>= 24 px, or >= 18.7 px bold) and icons
_BLACK: RGBA = (0.0, 0.0, 0.0, 1.0)
_WHITE: RGBA = (1.0, 1.0, 1.0, 1.0)


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: RGBA) -> float:
    """WCAG relative luminance of an opaque colour (alpha ignored)."""
    r, g, b = (_channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def over(top: RGBA, below: RGBA) -> RGBA:
    """`top` (with its alpha) painted over an opaque `below`."""
    alpha = top[3]
    r, g, b = (t * alpha + u * (1 - alpha) for t, u in zip(top[:3], below[:3], strict=True))
    return (r, g, b, 1.0)


def ratio_opaque(foreground: RGBA, background: RGBA) -> float:
    """The contrast ratio (1 to 21) of two opaque colours."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_ratio(foreground: RGBA, background: RGBA) -> float:
    """The worst-case contrast of `foreground` on `background`, which may be see-through."""
    if background[3] >= 1.0:
        return ratio_opaque(over(foreground, background), background)
    ratios = []
    for underneath in (_BLACK, _WHITE):
        ground = over(background, underneath)
        ratios.append(ratio_opaque(over(foreground, ground), ground))
    return min(ratios)
