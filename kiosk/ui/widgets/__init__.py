"""Reusable Kivy widgets of the kiosk (keypad, buttons, video, spinner)."""
