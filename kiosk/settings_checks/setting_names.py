"""Unknown PEXIP_*/KIOSK_* names: one warning each, with the closest known name.

A misspelt key (`KIOSK_CAMERA_FSP=30`) is otherwise silently ignored and the
room runs on the default. It stays a warning, not an error: a setting removed in
a newer version, or one for a newer version, must not stop a kiosk.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Collection, Mapping

log = logging.getLogger(__name__)

SETTING_PREFIXES = ("PEXIP_", "KIOSK_")
SUGGESTION_CUTOFF = 0.75


def looks_like_a_setting(key: str) -> bool:
    """True for names in the kiosk's namespaces (any case: `kiosk_x` is a likely typo too)."""
    return key.upper().startswith(SETTING_PREFIXES)


def closest_known(key: str, known: Collection[str]) -> str | None:
    """The known name most like `key` (difflib), or None when none is close."""
    matches = difflib.get_close_matches(key.upper(), sorted(known), n=1,
                                        cutoff=SUGGESTION_CUTOFF)
    return matches[0] if matches else None


def unknown_keys(keys: Mapping[str, str], known: Collection[str]) -> list[tuple[str, str]]:
    """(key, origin) of every name of `keys` (name -> where it was set) that is not known."""
    return [(key, origin) for key, origin in keys.items()
            if looks_like_a_setting(key) and key not in known]


def warn_about_unknown_keys(keys: Mapping[str, str], known: Collection[str]) -> None:
    """Log one warning per unknown PEXIP_*/KIOSK_* name in `keys` (name -> origin)."""
    for key, origin in unknown_keys(keys, known):
        suggestion = closest_known(key, known)
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        log.warning("%s (%s) is not a setting of this kiosk and is ignored%s", key, origin, hint)
