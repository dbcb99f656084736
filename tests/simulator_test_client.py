"""A minimal blocking Pexip client for the simulator's own tests (plain requests + sseclient).

It is deliberately independent of `kiosk.infinity` so the simulator is tested
on its own, the way any third-party client would talk to it.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
import sseclient

from kiosk.simulator.background import SimulatorThread

API = "/api/client/v2"


@dataclass(frozen=True)
class ReceivedEvent:
    """One server-sent event as received."""

    name: str
    data: Any
    id: str | None


class NodeApi:
    """Blocking requests against a running simulator, trusting its CA."""

    def __init__(self, sim: SimulatorThread) -> None:
        self.sim = sim
        self.base = sim.url + API
        self.verify: str | bool = str(sim.ca_bundle) if sim.ca_bundle else True
        self.http = requests.Session()
        # A session's `verify` would lose to REQUESTS_CA_BUNDLE from the environment.
        self.http.trust_env = False

    def conference(self, alias: str) -> str:
        """The base URL of a conference."""
        return f"{self.base}/conferences/{quote(alias, safe='')}"

    def post(
        self,
        path: str,
        body: Any = None,
        token: str | None = None,
        pin: str | None = None,
        data: bytes | None = None,
        timeout: float = 10.0,
    ) -> requests.Response:
        """POST `path` (relative to the API base, or absolute) with the protocol headers."""
        headers = {}
        if token is not None:
            headers["token"] = token
        if pin is not None:
            headers["pin"] = pin
        if data is not None:
            headers["Content-Type"] = "application/json"
        url = path if path.startswith("http") else self.base + path
        return self.http.post(
            url,
            json=body if data is None else None,
            data=data,
            headers=headers,
            verify=self.verify,
            timeout=timeout,
        )

    def request_token(
        self,
        alias: str,
        display_name: str = "Kiosk",
        pin: str | None = None,
        extension: str | None = None,
    ) -> requests.Response:
        """POST request_token."""
        body: dict[str, Any] = {"display_name": display_name}
        if extension is not None:
            body["conference_extension"] = extension
        return self.post(self.conference(alias) + "/request_token", body, pin=pin)

    def join(self, alias: str, display_name: str = "Kiosk", pin: str | None = None,
             extension: str | None = None) -> dict[str, Any]:
        """request_token that must succeed; its `result`."""
        response = self.request_token(alias, display_name, pin, extension)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    def call(self, alias: str, command: str, token: str, body: Any = None) -> requests.Response:
        """POST a token-authenticated command under the conference, e.g. `refresh_token`."""
        return self.post(self.conference(alias) + "/" + command, body, token=token)

    def events(self, alias: str, token: str, in_query: bool = False) -> EventReader:
        """Open the event stream (token in the header, or in `?token=`)."""
        url = self.conference(alias) + "/events"
        headers = {}
        params = {}
        if in_query:
            params["token"] = token
        else:
            headers["token"] = token
        response = self.http.get(
            url, headers=headers, params=params, stream=True, verify=self.verify,
            timeout=(5, None),
        )
        return EventReader(response)

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()


class EventReader:
    """Reads an event stream in a thread; events are taken with `next()`."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        self._events: queue.Queue[ReceivedEvent | None] = queue.Queue()
        self.ended = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        if response.status_code == 200:
            self._thread.start()
        else:
            self.ended.set()

    def _read(self) -> None:
        try:
            client = sseclient.SSEClient(self.response.iter_content(chunk_size=None))
            for event in client.events():
                data = json.loads(event.data) if event.data else None
                self._events.put(ReceivedEvent(event.event, data, event.id))
        except Exception:  # a cut stream simply ends the reader
            pass
        finally:
            self.ended.set()
            self._events.put(None)

    def next(self, timeout: float = 5.0) -> ReceivedEvent:
        """The next event; AssertionError if none arrives in time or the stream ended."""
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s") from None
        if event is None:
            self._events.put(None)
            raise AssertionError("the event stream ended")
        return event

    def wait_for(
        self, name: str, where: Callable[[Any], bool] = lambda data: True, timeout: float = 5.0
    ) -> ReceivedEvent:
        """Skip events until one named `name` whose data satisfies `where`."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {name!r} event within {timeout} s")
            event = self.next(timeout=remaining)
            if event.name == name and where(event.data):
                return event

    def sync(self, timeout: float = 5.0) -> list[ReceivedEvent]:
        """The roster replay: every event up to and including participant_sync_end."""
        events = []
        while True:
            event = self.next(timeout)
            events.append(event)
            if event.name == "participant_sync_end":
                return events

    def close(self) -> None:
        """Cut the connection and stop the reader."""
        with contextlib.suppress(Exception):
            sock = self.response.raw._fp.fp.raw._sock  # the only way to unblock a read
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            self.response.close()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
