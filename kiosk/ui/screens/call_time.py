"""Formats how long a call has lasted for the in-call screen."""

from __future__ import annotations


def format_call_time(seconds: float) -> str:
    """'4:07' under an hour, '1:02:09' beyond; negative or unknown gives '0:00'."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
