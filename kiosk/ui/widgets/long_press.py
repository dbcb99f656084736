"""A label that fires `on_long_press` after being held for `hold_seconds` (admin entry)."""

from __future__ import annotations

from kivy.clock import Clock, ClockEvent
from kivy.input.motionevent import MotionEvent
from kivy.properties import BooleanProperty, NumericProperty

from kiosk.ui.widgets.fit_label import FitLabel


class LongPressLabel(FitLabel):
    """Holding a finger on it for `hold_seconds` fires `on_long_press`; a short tap does nothing.

    A FitLabel: a long room name shrinks to fit rather than break inside a word."""

    hold_seconds = NumericProperty(5.0)
    enabled = BooleanProperty(True)

    __events__ = ("on_long_press",)

    def __init__(self, **kwargs: object) -> None:
        self._event: ClockEvent | None = None
        super().__init__(**kwargs)

    def on_touch_down(self, touch: MotionEvent) -> bool:
        if self.enabled and self.collide_point(*touch.pos):
            touch.grab(self)
            self._cancel()
            self._event = Clock.schedule_once(self._fire, self.hold_seconds)
            return True
        return super().on_touch_down(touch)

    def on_touch_up(self, touch: MotionEvent) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            self._cancel()
            return True
        return super().on_touch_up(touch)

    def _cancel(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _fire(self, _dt: float) -> None:
        self._event = None
        self.dispatch("on_long_press")

    def on_long_press(self) -> None:
        """Default handler: nothing (the home screen binds to it)."""
