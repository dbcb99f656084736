"""Pexip room kiosk: a touchscreen meeting-room device that joins Pexip Infinity meetings."""

__version__ = "0.1.0"
