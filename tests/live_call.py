"""Test helper: `pexip-kiosk call` in a subprocess, its JSON lines read as they come.

Each line is stamped with `time.monotonic()` of the test process when it arrived, so
a test can tell how long after something it did (killing the node, say) the call
reported a state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


class LiveCall:
    """A running `pexip-kiosk call` (a `with` block ends it)."""

    def __init__(self, tmp_path: Path, *args: str, env: Mapping[str, str] | None = None) -> None:
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("PEXIP_", "KIOSK_"))}
        environment.setdefault("KIOSK_LOG_LEVEL", "WARNING")
        environment.update(env or {})
        env_file = tmp_path / "empty.env"  # settings only from flags and `env`
        env_file.touch()
        command = [sys.executable, "-m", "kiosk.cli", "call", "--env-file", str(env_file),
                   *args]
        self.lines: list[tuple[float, dict[str, Any]]] = []
        self._changed = threading.Condition()
        self._stderr = tmp_path / "call-stderr.txt"
        with self._stderr.open("wb") as err:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err,
                                            stdin=subprocess.DEVNULL, cwd=REPO,
                                            env=environment, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            with self._changed:
                self.lines.append((time.monotonic(), record))
                self._changed.notify_all()

    @property
    def stderr(self) -> str:
        """What the call wrote on stderr so far."""
        return self._stderr.read_text(errors="replace")

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float,
                 after: float = 0.0) -> tuple[float, dict[str, Any]]:
        """The first line (arrived at or after `after`) that `predicate` accepts."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for arrived, record in self.lines:
                    if arrived >= after and predicate(record):
                        return arrived, record
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.process.poll() is not None and not
                                      self._reader.is_alive()):
                    raise AssertionError(f"no such line; lines {[r for _, r in self.lines]}; "
                                         f"stderr {self.stderr[-2000:]}")
                self._changed.wait(min(remaining, 0.5))

    def wait_state(self, state: str, timeout: float, after: float = 0.0
                   ) -> tuple[float, dict[str, Any]]:
        """The first state line of `state` (at or after `after`)."""
        return self.wait_for(lambda r: r.get("event") == "state" and r.get("state") == state,
                             timeout, after)

    def finish(self, timeout: float) -> tuple[int, dict[str, Any]]:
        """Wait for the call to end: its exit code and summary."""
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        _, summary = self.wait_for(lambda r: r.get("event") == "summary", timeout=1)
        return code, summary

    def __enter__(self) -> LiveCall:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
