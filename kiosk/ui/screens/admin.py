"""Admin: diagnostics (version, node, reachability, devices, IP, last error), restart and quit."""

from __future__ import annotations

from collections.abc import Sequence

from kivy.factory import Factory

from kiosk.ui.admin.diagnostics import DiagnosticRow
from kiosk.ui.screens.kiosk_screen import KioskScreen


class AdminScreen(KioskScreen):
    """Reached only with the admin PIN; the only way to leave the app from the screen."""

    def show_rows(self, rows: Sequence[DiagnosticRow]) -> None:
        """Fill the diagnostics table."""
        table = self.ids.table
        table.clear_widgets()
        palette = self.app.theme.palette
        for row in rows:
            table.add_widget(Factory.DiagLabel(text=row.label))
            color = {True: palette.success, False: palette.danger_text, None: palette.text}[row.ok]
            table.add_widget(Factory.DiagValue(text=row.value, color=color))

    def on_pre_enter(self, *_args: object) -> None:
        self.show_rows(self.app.admin.diagnostics())
