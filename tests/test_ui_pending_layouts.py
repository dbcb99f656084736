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


def test_the_ui_callbacks_still_scheduled_are_cancelled_and_kivys_own_are_not() -> None:
    from kivy.clock import Clock

    from kiosk.ui.device.pending_layouts import cancel_ui_callbacks

    label = Label(text="x")
    widget_event = Clock.schedule_once(label.texture_update, 5)
    core_event = Clock.schedule_once(print, 5)  # not a widget's, not the kiosk's
    try:
        assert cancel_ui_callbacks(Clock) >= 1
        assert widget_event not in Clock.get_events()
        assert core_event in Clock.get_events()
    finally:
        core_event.cancel()
        widget_event.cancel()
