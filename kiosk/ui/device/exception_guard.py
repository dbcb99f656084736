"""Kivy callback exceptions are logged and shown as the Error screen; the kiosk keeps running."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kivy.base import ExceptionHandler, ExceptionManager

log = logging.getLogger(__name__)


class KeepRunning(ExceptionHandler):
    """Logs an exception from a Kivy callback (never on screen) and reports it."""

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        super().__init__()
        self._on_error = on_error

    def handle_exception(self, inst: BaseException) -> int:
        """Pass (keep running) for everything but Ctrl-C and SystemExit."""
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        log.error("Unexpected error in the UI", exc_info=inst)
        self._on_error(inst)
        return ExceptionManager.PASS

    def install(self) -> None:
        """Start handling Kivy's exceptions."""
        ExceptionManager.add_handler(self)

    def uninstall(self) -> None:
        """Stop handling them."""
        ExceptionManager.remove_handler(self)
