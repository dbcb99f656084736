"""Layout passes still scheduled when the app stops are cancelled (kiosk.ui.device)."""

from __future__ import annotations

from kiosk.ui.device.kivy_setup import prepare_environment

prepare_environment()

from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.label import Label  # noqa: E402

from kiosk.ui.device.pending_layouts import cancel_pending_layouts  # noqa: E402


def test_scheduled_layouts_and_textures_are_cancelled() -> None:
    root = BoxLayout()
    inner = BoxLayout()
    label = Label(text="x")
    inner.add_widget(label)
    root.add_widget(inner)
    root.height = 123  # schedules a layout pass
    label.text = "changed"  # schedules a texture update
    assert root._trigger_layout.is_triggered
    assert cancel_pending_layouts(root) >= 3
    assert not root._trigger_layout.is_triggered
    assert not inner._trigger_layout.is_triggered
    assert not label._trigger_texture.is_triggered
    assert cancel_pending_layouts(None) == 0
