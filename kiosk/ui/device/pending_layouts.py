"""Cancels the layout passes still scheduled when the app stops.

kv rules read `app`; once Kivy's App has stopped it is gone, and a layout pass
scheduled in the last moments (a roster or speaker change just before leaving)
would re-evaluate such a rule on the next clock tick and end the app with a
traceback. Widgets no longer need laying out then: their triggers are cancelled.
"""

from __future__ import annotations

from kivy.clock import ClockBase
from kivy.uix.widget import Widget


def cancel_pending_layouts(root: Widget | None) -> int:
    """Cancel the scheduled layout of `root` and everything under it; how many there were."""
    if root is None:
        return 0
    cancelled = 0
    for widget in root.walk(restrict=True):
        # Layouts re-place their children; labels re-render, and their new texture sizes
        # re-evaluate the rules that depend on them.
        for name in ("_trigger_layout", "_trigger_texture"):
            cancel = getattr(getattr(widget, name, None), "cancel", None)
            if callable(cancel):
                cancel()
                cancelled += 1
    return cancelled


def cancel_ui_callbacks(clock: ClockBase) -> int:
    """Cancel every clock callback of a widget or of the kiosk's own code; how many.

    Kivy forgets the running app only after `on_stop` and after removing the window's
    widgets, which schedules more layout passes; whatever is still scheduled then (a
    toolbar fit, a label re-render) would evaluate its kv rules against no app. Kivy's
    own core callbacks are left alone.
    """
    cancelled = 0
    for event in clock.get_events():
        callback = event.get_callback()
        owner = getattr(callback, "__self__", None)
        module = getattr(callback, "__module__", None) or type(owner).__module__
        if isinstance(owner, Widget) or module.startswith("kiosk."):
            event.cancel()
            cancelled += 1
    return cancelled
