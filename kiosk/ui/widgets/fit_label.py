"""A one-line label that shrinks its font only as far as it must to fit its width.

Translations and `KIOSK_TEXT_SCALE` make button captions longer than the English
design: rather than overflow its button, a caption gets smaller (never below
`min_scale` of its size). `natural_width` is the width at the full size, so a
container that has room can grow to it instead.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.properties import NumericProperty
from kivy.uix.label import Label


class FitLabel(Label):
    """`font_size` follows `max_font_size`, reduced so the text fits `fit_width` (0: no limit)."""

    max_font_size = NumericProperty(15.0)
    fit_width = NumericProperty(0.0)
    min_scale = NumericProperty(0.6)
    natural_width = NumericProperty(0.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bind(text=self._fit, max_font_size=self._fit, fit_width=self._fit,
                  font_name=self._fit, bold=self._fit, min_scale=self._fit)
        self._fit()

    def _measure(self, font_size: float) -> float:
        if not self.text:
            return 0.0
        core = CoreLabel(text=self.text, font_size=font_size, font_name=self.font_name,
                         bold=self.bold)
        width, _height = core.get_extents(self.text)
        return float(width)

    def _fit(self, *_args: object) -> None:
        size = float(self.max_font_size)
        self.natural_width = self._measure(size)
        if self.fit_width > 0 and self.natural_width > self.fit_width:
            size = max(size * self.min_scale, size * self.fit_width / self.natural_width)
        if size != self.font_size:
            self.font_size = size
