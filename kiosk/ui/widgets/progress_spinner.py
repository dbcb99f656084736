"""A rotating arc that shows work in progress; animates only while `active`."""

from __future__ import annotations

from kivy.clock import Clock, ClockEvent
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget


class ProgressSpinner(Widget):
    """An arc turning at `speed` degrees a second. Screens set `active` on enter/leave so
    nothing animates (and nothing is redrawn) while the spinner is off screen."""

    active = BooleanProperty(False)
    angle = NumericProperty(0.0)
    speed = NumericProperty(300.0)
    fps = NumericProperty(30.0)

    def __init__(self, **kwargs: object) -> None:
        self._event: ClockEvent | None = None
        super().__init__(**kwargs)

    def on_active(self, _instance: object, active: bool) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if active:
            self._event = Clock.schedule_interval(self._turn, 1.0 / self.fps)

    def _turn(self, dt: float) -> None:
        self.angle = (self.angle - self.speed * dt) % 360.0
