"""The control bar's speaker volume: - , a slider (0–100 %) and +, showing the level."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import NumericProperty
from kivy.uix.boxlayout import BoxLayout


class VolumeControl(BoxLayout):
    """Shows and changes `app.room.volume`; `level` follows it (also when changed elsewhere)."""

    level = NumericProperty(80)

    def on_kv_post(self, _base_widget: object) -> None:
        room = getattr(App.get_running_app(), "room", None)
        if room is not None:
            self.level = room.volume.level
            room.volume.subscribe(self._volume_changed)

    def _volume_changed(self, level: int) -> None:
        if level != self.level:
            self.level = level

    def slide(self, value: float) -> None:
        """The slider's value changed (a finger, or `level` set from elsewhere: no-op)."""
        room = App.get_running_app().room
        if round(value) != room.volume.level:
            self.level = room.change_volume(value)

    def step(self, direction: int) -> None:
        """- or + pressed."""
        room = App.get_running_app().room
        self.level = room.step_volume(direction)
