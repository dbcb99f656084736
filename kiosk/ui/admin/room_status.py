"""What the room knows of its own health: Home's status line and the admin diagnostics.

Camera presence is read at once; whether the node answers is asked in the
background (the session's check, never HTTP here). The last error shown is kept
for the installer's diagnostics.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.config import Settings
from kiosk.session_state import SessionState
from kiosk.ui.actions.task_runner import TaskRunner
from kiosk.ui.admin.diagnostics import DiagnosticRow, calendar_rows, collect_diagnostics
from kiosk.ui.calendar.agenda_presenter import AgendaPresenter
from kiosk.ui.calendar.calendar_feed import CalendarFeed
from kiosk.ui.device.device_probe import camera_presence, scan_devices
from kiosk.ui.navigation.ui_state import UiState
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.session_port import SessionPort
from kiosk.ui.theme import Theme


class RoomStatus:
    """Node reachability and the last error; refreshes Home's status line, lists diagnostics."""

    def __init__(self, settings: Settings, session: SessionPort, runner: TaskRunner,
                 ui: UiState, theme: Callable[[], Theme],
                 home: Callable[[], HomeScreen | None]) -> None:
        self._settings = settings
        self._session = session
        self._runner = runner
        self._ui = ui
        self._theme = theme
        self._home = home  # None until the app is built
        self.node_reachable: bool | None = None
        self.last_error = ""

    def refresh(self) -> None:
        """Update Home's status line: camera presence now, node reachability in the background."""
        home = self._home()
        if home is None:
            return
        home.camera = camera_presence(self._settings, scan_devices())
        if self._ui.snapshot.state in (SessionState.IDLE, SessionState.ERROR):
            self._runner.run("check node", self._check_node())

    async def _check_node(self) -> None:
        reachable = await self._session.check_node()
        self.node_reachable = reachable
        home = self._home()
        if home is not None:
            home.node_reachable = reachable

    def diagnostics(self, calendar: CalendarFeed, agenda: AgendaPresenter) -> list[DiagnosticRow]:
        """The admin screen's rows (the calendar's too when the room has one)."""
        theme = self._theme()
        rows = collect_diagnostics(
            self._settings,
            self._ui.snapshot,
            self.node_reachable,
            theme.translator.render(self.last_error),
            scan_devices(),
            theme.texts,
            render=theme.translator.render,
        )
        if calendar.enabled:
            rows += calendar_rows(calendar.snapshot.status, agenda.view,
                                  theme.texts, calendar.zone)
        return rows
