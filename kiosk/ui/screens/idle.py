"""Idle: a dark clock screen after the room has been left alone on Home; any touch wakes it."""

from __future__ import annotations

from kiosk.ui.screens.clock_screen import ClockScreen


class IdleScreen(ClockScreen):
    """Nothing to press here: the app turns the first touch into a wake-up."""
