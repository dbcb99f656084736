"""The admin screens' taps, reached as `app.admin`: unlock with the PIN, quit, restart.

The admin PIN screen opens with the 5 s press on Home's room name (only when an
admin PIN is set); quitting and restarting work only from the admin screen.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from kiosk.ui.admin.admin_gate import AdminCheck, AdminGate
from kiosk.ui.admin.diagnostics import DiagnosticRow
from kiosk.ui.navigation.screen_router import LocalMode
from kiosk.ui.navigation.ui_state import UiState


class ExitRequest(enum.Enum):
    """How the app was asked to end (from the admin screen)."""

    NONE = "none"
    QUIT = "quit"
    RESTART = "restart"


class AdminActions:
    """Opens and closes the admin screens through `gate`; ends the app when asked."""

    def __init__(self, gate: AdminGate, ui: UiState,
                 rows: Callable[[], list[DiagnosticRow]], stop_app: Callable[[], None]) -> None:
        self.gate = gate
        self.exit_request = ExitRequest.NONE
        self._ui = ui
        self._rows = rows
        self._stop_app = stop_app

    def open_unlock(self) -> None:
        """The 5 s press on the room name (only when an admin PIN is set)."""
        if self.gate.enabled and self._ui.mode is LocalMode.HOME:
            self._ui.set_context(mode=LocalMode.ADMIN_UNLOCK)

    def unlock(self, pin: str) -> AdminCheck:
        """Check the admin PIN; on success show the diagnostics."""
        result = self.gate.check(pin)
        if result is AdminCheck.GRANTED:
            self._ui.set_context(mode=LocalMode.ADMIN)
        return result

    def close(self) -> None:
        """Leave the admin screens."""
        self._ui.set_context(mode=LocalMode.HOME)

    def diagnostics(self) -> list[DiagnosticRow]:
        """The admin screen's rows."""
        return self._rows()

    def quit_to_system(self) -> None:
        """End the app (the service manager decides what comes next)."""
        self._end(ExitRequest.QUIT)

    def restart_app(self) -> None:
        """End the app and start it again."""
        self._end(ExitRequest.RESTART)

    def _end(self, request: ExitRequest) -> None:
        if self._ui.mode is LocalMode.ADMIN:
            self.exit_request = request
            self._stop_app()
