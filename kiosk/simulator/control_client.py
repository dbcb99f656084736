"""`SimulatorControl`: a blocking client of a running simulator's `/_sim/` control API.

The one client of that API, whatever runs the simulator (a `SimulatorThread` in
tests, a `SimulatorProcess` in the demo and the benchmarks)::

    control = SimulatorControl(sim.url, sim.ca_bundle)
    control.host_joins("meet.team")
    control.room("meet.team")["participants"]
    control.close()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

CONTROL_TIMEOUT = 10.0


class SimulatorControlError(RuntimeError):
    """The simulator refused a control request or gave a reply that is not its JSON."""


def _room_path(alias: str) -> str:
    return "rooms/" + quote(alias, safe="")


def _participant_path(alias: str, participant_uuid: str) -> str:
    return f"{_room_path(alias)}/participants/{quote(participant_uuid, safe='')}"


class SimulatorControl:
    """Drives a simulator at `url` (trusting `ca_bundle`) through `/_sim/`; close() when done."""

    def __init__(self, url: str, ca_bundle: Path | None) -> None:
        self.url = url
        self.ca_bundle = ca_bundle
        self._http = requests.Session()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        # `verify` per request: a session's own `verify` loses to REQUESTS_CA_BUNDLE.
        response = self._http.request(
            method,
            f"{self.url}/_sim/{path}",
            json=body,
            timeout=CONTROL_TIMEOUT,
            verify=str(self.ca_bundle) if self.ca_bundle else True,
        )
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise SimulatorControlError(
                f"simulator control {path}: HTTP {response.status_code}, not a JSON object"
            )
        if response.status_code != 200:
            raise SimulatorControlError(
                f"simulator control {path}: HTTP {response.status_code}: {payload.get('result')}"
            )
        return payload.get("result")

    # ------------------------------------------------------------------ rooms

    def host_joins(self, alias: str, display_name: str = "Host") -> dict[str, Any]:
        """A simulated host joins the room; waiting guests are let in.

        Returns `{"participant_uuid": ..., "admitted": [uuids]}`."""
        return self._control("POST", _room_path(alias) + "/host", {"display_name": display_name})

    def host_leaves(self, alias: str) -> dict[str, Any]:
        """The simulated host(s) leave. Returns `{"left": [uuids]}`."""
        return self._control("POST", _room_path(alias) + "/host/leave")

    def end_meeting(self, alias: str, reason: str = "Conference terminated by a host") -> int:
        """Disconnect everyone in the room with `reason`; return how many."""
        result = self._control("POST", _room_path(alias) + "/end", {"reason": reason})
        return int(result["disconnected"])

    def room(self, alias: str) -> dict[str, Any]:
        """The room's roster, DTMF, calls and media counters (see `GET /_sim/rooms/{alias}`)."""
        return self._control("GET", _room_path(alias))

    # ----------------------------------------------------------- participants

    def disconnect_call(
        self, alias: str, participant_uuid: str, reason: str = "Call disconnected by the simulator"
    ) -> list[str]:
        """End a participant's calls from the node side; return the call uuids ended."""
        path = _participant_path(alias, participant_uuid) + "/call_disconnect"
        return self._control("POST", path, {"reason": reason})["calls"]

    def renegotiate(
        self, alias: str, participant_uuid: str, event: str = "new_offer"
    ) -> dict[str, str]:
        """The far end of the participant's live call sends a new offer as `event`
        (`new_offer` or `update_sdp`). Returns `{"call_uuid": ..., "event": ...}`."""
        path = _participant_path(alias, participant_uuid) + "/renegotiate"
        return self._control("POST", path, {"event": event})

    def request_refresh(self, alias: str, participant_uuid: str) -> None:
        """Send the participant a `refresh_token` event."""
        self._control("POST", _participant_path(alias, participant_uuid) + "/refresh")

    def disconnect_participant(
        self, alias: str, participant_uuid: str, reason: str = "Disconnected by a host"
    ) -> None:
        """Disconnect one participant with `reason` (a `disconnect` event)."""
        path = _participant_path(alias, participant_uuid) + "/disconnect"
        self._control("POST", path, {"reason": reason})

    # ----------------------------------------------------------------- faults

    def inject_fault(
        self,
        path_contains: str,
        status: int | None = None,
        count: int = 1,
        delay: float = 0.0,
        drop_events: bool = False,
        body: Any = None,
        ice_blackhole: bool = False,
    ) -> dict[str, Any]:
        """Fail/delay the next `count` requests whose path contains `path_contains`, and/or
        cut the open event streams whose path contains it (`drop_events`), and/or answer
        a matching `calls` request from a far end whose ICE never responds (`ice_blackhole`)."""
        request: dict[str, Any] = {
            "path_contains": path_contains,
            "count": count,
            "delay": delay,
            "drop_events": drop_events,
            "ice_blackhole": ice_blackhole,
        }
        if status is not None:
            request["status"] = status
        if body is not None:
            request["body"] = body
        return self._control("POST", "faults", request)

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self._control("DELETE", "faults")

    # ----------------------------------------------------------------- calendar

    @property
    def calendar_url(self) -> str:
        """The demo calendar's feed (`GET /_sim/calendar.ics`)."""
        return f"{self.url}/_sim/calendar.ics"

    def fail_calendar(self, status: int | None) -> None:
        """Make the demo calendar answer `status` (the server is down); None: serve again."""
        self._control("POST", "calendar", {"fail_status": status})
