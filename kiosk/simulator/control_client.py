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

    def request_keyframe(self, alias: str, participant_uuid: str) -> dict[str, Any]:
        """The far end of the participant's live call sends a PLI (asks for a keyframe)."""
        path = _participant_path(alias, participant_uuid) + "/keyframe_request"
        return self._control("POST", path)
    def reoffer(
        self, alias: str, participant_uuid: str, event: str = "new_offer",
        ice_restart: bool = False, video: str | None = None,
    ) -> dict[str, Any]:
        """Like `renegotiate`, with the offer rewritten (`sdp_faults.py`): new ICE
        credentials (`ice_restart`), and/or `video="h264_mode0_only"`."""
        path = _participant_path(alias, participant_uuid) + "/reoffer"
        body: dict[str, Any] = {"event": event, "ice_restart": ice_restart}
        if video is not None:
            body["video"] = video
        return self._control("POST", path, body)

    def rewrite_answers(self, video: str, count: int = 1) -> int:
        """Rewrite the next `count` answers to `calls` (`h264_mode0_first` or
        `h264_mode0_only`); how many rewrites are armed."""
        return self._control("POST", "answer_rewrites", {"video": video, "count": count})["armed"]

    def request_refresh(self, alias: str, participant_uuid: str) -> None:
        """Send the participant a `refresh_token` event."""
        self._control("POST", _participant_path(alias, participant_uuid) + "/refresh")

    def disconnect_participant(
        self, alias: str, participant_uuid: str, reason: str = "Disconnected by a host"
    ) -> None:
        """Disconnect one participant with `reason` (a `disconnect` event)."""
        path = _participant_path(alias, participant_uuid) + "/disconnect"
        self._control("POST", path, {"reason": reason})

    # ------------------------------------------------------- meeting happenings

    def lobby_guests(self, alias: str, names: list[str]) -> list[str]:
        """Simulated guests wait in the lobby; their uuids."""
        return self._control("POST", _room_path(alias) + "/lobby", {"names": names})["waiting"]

    def send_message(self, alias: str, text: str, origin: str = "Host",
                     to: str | None = None) -> int:
        """A chat message to everyone (or to one participant); how many got it."""
        body: dict[str, Any] = {"text": text, "origin": origin}
        if to is not None:
            body["to"] = to
        return int(self._control("POST", _room_path(alias) + "/message", body)["sent"])

    def roster_burst(self, alias: str, participants: int = 200, updates: int = 500
                     ) -> dict[str, int]:
        """`participants` simulated guests join, then `updates` participant_update events."""
        return self._control("POST", _room_path(alias) + "/roster_burst",
                             {"participants": participants, "updates": updates})

    def open_breakout(self, alias: str, participants: list[str], name: str = "Breakout room"
                      ) -> dict[str, Any]:
        """Send participants into a new breakout room; `{breakout_uuid, name, members}`."""
        return self._control("POST", _room_path(alias) + "/breakouts",
                             {"participants": participants, "name": name})

    def close_breakout(self, alias: str, breakout_uuid: str) -> dict[str, Any]:
        """End a breakout room: its members come back."""
        return self._control(
            "POST", f"{_room_path(alias)}/breakouts/{quote(breakout_uuid, safe='')}/end")

    def raise_hand(self, alias: str, participant_uuid: str, raised: bool = True) -> None:
        """A participant raises (or lowers) the hand."""
        self._control("POST", _participant_path(alias, participant_uuid) + "/hand",
                      {"raised": raised})

    def hold(self, alias: str, participant_uuid: str, setting: bool = True) -> None:
        """Put a participant's call on hold (or resume it)."""
        self._control("POST", _participant_path(alias, participant_uuid) + "/hold",
                      {"setting": setting})

    def splash(self, alias: str, participant_uuid: str, screen_key: str | None,
               display_duration: float | None = None) -> None:
        """Show a theme splash screen (None clears it)."""
        body: dict[str, Any] = {"screen_key": screen_key}
        if display_duration is not None:
            body["display_duration"] = display_duration
        self._control("POST", _participant_path(alias, participant_uuid) + "/splash", body)

    def transfer(self, alias: str, participant_uuid: str, to: str) -> None:
        """Move a participant to another meeting (`refer` with a one-time token)."""
        self._control("POST", _participant_path(alias, participant_uuid) + "/transfer",
                      {"to": to})

    def set_role(self, alias: str, participant_uuid: str, role: str) -> None:
        """Make a participant HOST or GUEST (`role` event)."""
        self._control("POST", _participant_path(alias, participant_uuid) + "/role",
                      {"role": role})

    def peer_disconnect(self, alias: str, participant_uuid: str) -> list[str]:
        """End a participant's calls with `peer_disconnect`; the call uuids ended."""
        return self._control(
            "POST", _participant_path(alias, participant_uuid) + "/peer_disconnect")["calls"]

    def send_event(self, alias: str, participant_uuid: str, name: str, data: Any = None
                   ) -> None:
        """Send any event, as given (broken payloads too)."""
        self._control("POST", _participant_path(alias, participant_uuid) + "/event",
                      {"name": name, "data": data})

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
        **more: Any,
    ) -> dict[str, Any]:
        """Fail/delay the next `count` requests whose path contains `path_contains`, and/or
        cut the open event streams whose path contains it (`drop_events`), and/or answer
        a matching `calls` request from a far end whose ICE never responds (`ice_blackhole`).
        `more`: the other fields of `POST /_sim/faults` (`headers`, `trickle_every`,
        `trickle_from`, `endless_body`, `flood_events`, `flood_participants`,
        `raw_event_bytes`; see `control_api`)."""
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
        request.update(more)
        return self._control("POST", "faults", request)

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self._control("DELETE", "faults")

    # ----------------------------------------------------------- presentations

    def present(self, alias: str, name: str = "Anna Svensson", mode: str = "stream"
                ) -> dict[str, Any]:
        """`name` starts presenting a slide deck (`stream`: on slides m-lines; `jpeg`: only
        presentation_frame events and JPEGs). Returns `{"presenter_uuid", "mode"}`."""
        return self._control("POST", _room_path(alias) + "/present",
                             {"name": name, "mode": mode})

    def stop_presenting(self, alias: str) -> bool:
        """The presentation ends; False when there was none."""
        return bool(self._control("DELETE", _room_path(alias) + "/present")["stopped"])

    def presentation_options(self, alias: str, answer_slides: bool) -> None:
        """Whether calls made from now on get their slides m-line answered."""
        self._control("POST", _room_path(alias) + "/presentation_options",
                      {"answer_slides": answer_slides})

    def play_captions(self, alias: str, lines: list[str] | None = None,
                      word_seconds: float = 0.25) -> int:
        """Speak live captions to the participants that asked for them."""
        body: dict[str, Any] = {"word_seconds": word_seconds}
        if lines is not None:
            body["lines"] = lines
        return int(self._control("POST", _room_path(alias) + "/captions", body)["lines"])

    # ----------------------------------------------------------------- calendar

    @property
    def calendar_url(self) -> str:
        """The demo calendar's feed (`GET /_sim/calendar.ics`)."""
        return f"{self.url}/_sim/calendar.ics"

    def fail_calendar(self, status: int | None) -> None:
        """Make the demo calendar answer `status` (the server is down); None: serve again."""
        self._control("POST", "calendar", {"fail_status": status})
