"""The UI's two routing inputs: the session's newest snapshot and the room's local context.

The parts that move the room between screens (admin, calendar, idle, the Error
screen's buttons) change the context here; every change redraws at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from kiosk.session_state import SessionSnapshot
from kiosk.ui.navigation.screen_router import LocalMode, UiContext


class UiState:
    """The snapshot the screens show and the local `UiContext`; `set_context` redraws."""

    def __init__(self, snapshot: SessionSnapshot, redraw: Callable[[], None]) -> None:
        self._snapshot = snapshot
        self._context = UiContext()
        self._redraw = redraw

    @property
    def snapshot(self) -> SessionSnapshot:
        """The session's newest snapshot."""
        return self._snapshot

    @property
    def context(self) -> UiContext:
        """The UI's local routing context (mode, error dismissed)."""
        return self._context

    @property
    def mode(self) -> LocalMode:
        """What the room is doing locally (home, meeting ID, idle, admin)."""
        return self._context.mode

    def receive(self, snapshot: SessionSnapshot) -> SessionSnapshot:
        """Keep the session's newest snapshot (without redrawing); the one before it back."""
        previous, self._snapshot = self._snapshot, snapshot
        return previous

    def set_context(self, **changes: object) -> None:
        """Change some of the context's fields, then redraw."""
        self._context = dataclasses.replace(self._context, **changes)  # type: ignore[arg-type]
        self._redraw()

    def redraw(self) -> None:
        """Show the screen for the current snapshot and context."""
        self._redraw()
