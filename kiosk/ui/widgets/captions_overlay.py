"""Live captions: two large lines at the bottom of the call, readable across a room."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.ui.widgets.hideable import HideableBox


class CaptionsOverlay(HideableBox):
    """The previous sentence (dimmed) above the current one; partial text is replaced as
    it grows and then by its final text."""

    previous = StringProperty("")
    current = StringProperty("")

    def show_lines(self, lines: tuple[str, ...], placeholder: str) -> None:
        """Show the session's caption lines (none yet: `placeholder`)."""
        if not lines:
            self.previous, self.current = "", placeholder
        elif len(lines) == 1:
            self.previous, self.current = "", lines[0]
        else:
            self.previous, self.current = lines[-2], lines[-1]
