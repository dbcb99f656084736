"""A one-line label that shrinks its font only as far as it must to fit its width.

Translations and `KIOSK_TEXT_SCALE` make button captions longer than the English
design: rather than overflow its button, a caption gets smaller (never below
`min_scale` of its size). `natural_width` is the width at the full size, so a
container that has room can grow to it instead. With `wrap_lines` > 1 a caption of
several words that would have to shrink a lot wraps onto more lines instead
("Mikrofon aus" on a narrow toolbar button becomes "Mikrofon" over "aus").
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.properties import NumericProperty
from kivy.uix.label import Label
from kivy.uix.widget import Widget


class FitLabel(Label):
    """`font_size` follows `max_font_size`, reduced so the text fits `fit_width` (one line)
    or, for wrapped text (`text_size` has a width), `fit_height` (0: no limit)."""

    max_font_size = NumericProperty(15.0)
    fit_width = NumericProperty(0.0)
    fit_height = NumericProperty(0.0)
    min_scale = NumericProperty(0.6)
    natural_width = NumericProperty(0.0)
    fitted_size = NumericProperty(0.0)  # the size that fits, before `ceiling`
    ceiling = NumericProperty(0.0)  # > 0: never larger (a row of buttons at one size)
    # > 1: the label sets its own `text_size` and wraps onto up to this many lines of
    # `fit_width` (and `fit_height`, if set) when one line would be below `wrap_below`.
    wrap_lines = NumericProperty(1)
    wrap_below = NumericProperty(0.85)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bind(text=self._fit, max_font_size=self._fit, fit_width=self._fit,
                  fit_height=self._fit, text_size=self._fit, font_name=self._fit,
                  bold=self._fit, min_scale=self._fit, ceiling=self._fit,
                  wrap_lines=self._fit, wrap_below=self._fit)
        self._fit()

    def _measure_word(self, word: str, font_size: float) -> float:
        core = CoreLabel(text=word, font_size=font_size, font_name=self.font_name,
                         bold=self.bold)
        return float(core.get_extents(word)[0])

    def _measure_height(self, font_size: float, width: float | None = None) -> float:
        line_width = self.text_size[0] if width is None else width
        core = CoreLabel(text=self.text, font_size=font_size, font_name=self.font_name,
                         bold=self.bold, text_size=(line_width, None),
                         halign=self.halign, line_height=self.line_height)
        core.refresh()
        return float(core.texture.height) if core.texture is not None else 0.0

    def _measure(self, font_size: float) -> float:
        if not self.text:
            return 0.0
        core = CoreLabel(text=self.text, font_size=font_size, font_name=self.font_name,
                         bold=self.bold)
        width, _height = core.get_extents(self.text)
        return float(width)

    def _fit(self, *_args: object) -> None:
        # Measuring renders text: only when something that changes the result changed
        # (layout passes at start-up set the same widths many times).
        wrapping = self.wrap_lines > 1
        key = (self.text, self.max_font_size, self.fit_width, self.fit_height,
               None if wrapping else tuple(self.text_size), self.font_name, self.bold,
               self.min_scale, self.ceiling, self.wrap_lines, self.wrap_below)
        if key == getattr(self, "_fitted_for", None):
            return
        self._fitted_for = key
        if wrapping:
            self._fit_lines()
            return
        size = float(self.max_font_size)
        smallest = size * self.min_scale
        self.natural_width = self._measure(size)
        if self.fit_width > 0 and self.natural_width > self.fit_width:
            size = max(smallest, size * self.fit_width / self.natural_width)
        wraps = self.text_size[0] is not None and self.text_size[0] > 0
        if wraps and self.text:
            # A word wider than the line would be broken inside: shrink until it fits.
            widest = max(self._measure_word(word, size) for word in self.text.split())
            if widest > self.text_size[0]:
                size = max(smallest, size * self.text_size[0] / widest)
        if wraps and self.fit_height > 0 and self.text:
            # Lines reflow as the font shrinks: a few steps find the largest that fits.
            for _ in range(6):
                height = self._measure_height(size)
                if height <= self.fit_height or size <= smallest:
                    break
                size = max(smallest, size * max(0.85, (self.fit_height / height) ** 0.5))
        self.fitted_size = size
        if self.ceiling > 0:
            size = min(size, self.ceiling)
        if size != self.font_size:
            self.font_size = size

    def _lines_at(self, cap: float, wrap_below: float) -> tuple[float, bool]:
        """The largest size up to `cap` that fits, and whether it wraps to get it."""
        smallest = float(self.max_font_size) * self.min_scale
        natural = self._measure(cap)
        one_line = cap
        if self.fit_width > 0 and natural > self.fit_width:
            one_line = max(smallest, cap * self.fit_width / natural)
        one_fits = self.fit_width <= 0 or natural * one_line / cap <= self.fit_width + 0.5
        words = self.text.split()
        if len(words) < 2 or (one_fits and one_line >= cap * wrap_below):
            return one_line, False
        size = cap
        widest = max(self._measure_word(word, size) for word in words)
        if widest > self.fit_width:
            size = max(smallest, size * self.fit_width / widest)
        fits = False
        for _ in range(8):
            line_height = float(CoreLabel(text=self.text, font_size=size,
                                          font_name=self.font_name,
                                          bold=self.bold).get_extents(self.text)[1])
            height = self._measure_height(size, self.fit_width)
            lines = round(height / line_height) if line_height > 0 else 1
            fits = lines <= self.wrap_lines and (self.fit_height <= 0
                                                 or height <= self.fit_height)
            if fits or size <= smallest:
                break
            size = max(smallest, size * 0.92)
        widest = max(self._measure_word(word, size) for word in words)
        fits = fits and widest <= self.fit_width + 0.5
        if fits and (size > one_line or not one_fits):
            return size, True
        return one_line, False

    def _fit_lines(self) -> None:
        size, wraps = self._lines_at(float(self.max_font_size), self.wrap_below)
        self.fitted_size = size
        if 0 < self.ceiling < size:
            # At the row's smaller size, one line may fit again: decide afresh, and
            # wrap rather than be smaller than the rest of the row.
            size, wraps = self._lines_at(float(self.ceiling), 1.0)
        wanted = [self.fit_width, None] if wraps else [None, None]
        if list(self.text_size) != wanted:
            self.text_size = wanted
        if size != self.font_size:
            self.font_size = size


class ColumnTitle(FitLabel):
    """A wrapped title in a vertical column: it takes the height the other rows leave and
    shrinks its font (down to `min_scale`) when its lines would not fit in it.

    Large text (`KIOSK_TEXT_SCALE`) and long translations then never push the column's
    buttons off the screen; at the design size the title is as designed.
    """

    def __init__(self, **kwargs: object) -> None:
        self._siblings: list[Widget] = []
        self._column: Widget | None = None
        super().__init__(**kwargs)
        self.bind(parent=self._watch_column, width=self._fit)

    def _watch_column(self, *_args: object) -> None:
        # The column's kv rule sets its orientation after adding its rows: watch it all.
        column = self.parent
        if column is not self._column:
            if self._column is not None:
                self._column.unbind(height=self._refit, children=self._watch_column,
                                    orientation=self._watch_column)
            if column is not None:
                column.bind(height=self._refit, children=self._watch_column,
                            orientation=self._watch_column)
            self._column = column
        for sibling in self._siblings:
            sibling.unbind(height=self._refit)
        self._siblings = []
        if column is None or getattr(column, "orientation", "") != "vertical":
            self.fit_height = 0
            return
        self._siblings = [c for c in column.children if c is not self]
        for sibling in self._siblings:
            sibling.bind(height=self._refit)
        self._refit()

    def _refit(self, *_args: object) -> None:
        column = self.parent
        if column is None or getattr(column, "orientation", "") != "vertical":
            return
        fixed = [c for c in column.children if c is not self and c.size_hint_y is None]
        gaps = column.spacing * (len(column.children) - 1)
        padding = column.padding[1] + column.padding[3]
        left = column.height - sum(c.height for c in fixed) - gaps - padding
        self.fit_height = max(float(self.max_font_size) * 1.3, left)
