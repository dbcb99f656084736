"""Cancels the layout passes still scheduled when the app stops.

kv rules read `app`; once Kivy's App has stopped it is gone, and a layout pass
scheduled in the last moments (a roster or speaker change just before leaving)
would re-evaluate such a rule on the next clock tick and end the app with a
traceback. Widgets no longer need laying out then: their triggers are cancelled.
"""

from __future__ import annotations

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
