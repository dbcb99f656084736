"""The one error every bad setting becomes (re-exported by `kiosk.config`)."""

from __future__ import annotations


class ConfigError(ValueError):
    """A setting is missing or malformed. `str()` is one human line: 'KEY: what is wrong'."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem
