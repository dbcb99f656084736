"""What tests and the demo make happen in a simulated meeting through `/_sim/`:
guests in the lobby, raised hands, hold, splash screens, messages, transfers, role
changes, `peer_disconnect`, any raw event, and big rosters with event bursts.

Every event has the shape the kiosk must read (Pexip's v20 schema, PexRTC and the
Android SDK): `refer` {alias, token}, `on_hold` {setting}, `splash_screen`
{screen_key, display_duration} or null, `message_received` {origin, uuid, type,
payload, direct}, `role` {role}, `peer_disconnect` (no data).
"""

from __future__ import annotations

import random
import secrets
import time
from typing import Any

from aiohttp import web

from kiosk.simulator.breakouts import Breakouts
from kiosk.simulator.node import SimulatedNode
from kiosk.simulator.protocol_replies import ApiError, read_json_object, reply
from kiosk.simulator.room_state import CHAIR, GUEST, CallState, ParticipantRecord, RoomState

CONTROL_PREFIX = "/_sim"
_ROOM = CONTROL_PREFIX + "/rooms/{alias}"
_PARTICIPANT = _ROOM + "/participants/{participant_uuid}"
MAX_BURST = 5000
FIRST_NAMES = ("Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivo", "Jun",
               "Kari", "Lena", "Mads", "Nora", "Olu", "Pia", "Quinn", "Rui", "Sofie", "Tariq")


def _text(body: dict[str, Any], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"{key} must be a non-empty string")
    return value.strip()


def _count(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_BURST:
        raise ApiError(400, f"{key} must be a whole number from 0 to {MAX_BURST}")
    return value


class MeetingScript:
    """The scripted happenings of a simulated meeting (on the simulator's loop)."""

    def __init__(self, node: SimulatedNode) -> None:
        self._node = node
        self._random = random.Random(12)

    def _participant(self, alias: str, participant_uuid: str) -> tuple[RoomState,
                                                                       ParticipantRecord]:
        room = self._node.room(alias)
        participant = room.participants.get(participant_uuid)
        if participant is None:
            raise ApiError(404, "Participant not found")
        return room, participant

    def _send(self, participant: ParticipantRecord, name: str, data: Any) -> None:
        self._node.hub.send(participant.uuid, name, data, keep=True)

    def lobby(self, alias: str, names: list[str]) -> list[str]:
        """Simulated guests arrive in the lobby."""
        room = self._node.room(alias)
        return [self._node.add_lobby_guest(room, name).uuid for name in names]

    def hand(self, alias: str, participant_uuid: str, raised: bool) -> None:
        """A participant raises (or lowers) the hand."""
        room, participant = self._participant(alias, participant_uuid)
        if bool(participant.buzz_time) != raised:
            participant.buzz_time = time.time() if raised else 0.0
            self._node.hub.broadcast([p.uuid for p in room.real_participants],
                                     "participant_update", participant.to_event(room.config))

    def hold(self, alias: str, participant_uuid: str, setting: bool) -> None:
        """The node puts the participant's call on hold (or resumes it)."""
        _room, participant = self._participant(alias, participant_uuid)
        self._send(participant, "on_hold", {"setting": setting})

    def splash(self, alias: str, participant_uuid: str, screen_key: str | None,
               duration: float | None) -> None:
        """Show a theme splash screen to the participant (None clears it)."""
        _room, participant = self._participant(alias, participant_uuid)
        if screen_key is None:
            self._send(participant, "splash_screen", None)
            return
        data: dict[str, Any] = {"screen_key": screen_key}
        if duration is not None:
            data["display_duration"] = duration
        self._send(participant, "splash_screen", data)

    def message(self, alias: str, origin: str, text: str, to: str | None) -> int:
        """A chat message from `origin` to everyone (or to one participant, direct)."""
        room = self._node.room(alias)
        sender = next((p for p in room.participants.values() if p.display_name == origin), None)
        data = {"origin": origin, "uuid": sender.uuid if sender else "", "type": "text/plain",
                "payload": text, "direct": to is not None}
        targets = [p for p in room.real_participants if to is None or p.uuid == to]
        for target in targets:
            self._send(target, "message_received", data)
        return len(targets)

    def transfer(self, alias: str, participant_uuid: str, target_alias: str) -> dict[str, str]:
        """The node moves the participant to another meeting: `refer` with a one-time token."""
        _room, participant = self._participant(alias, participant_uuid)
        target = self._node.room(target_alias)
        token = secrets.token_urlsafe(24)
        self._node.transfer_tokens[token] = target.alias.lower()
        self._send(participant, "refer", {"alias": target.alias, "token": token})
        return {"alias": target.alias}

    def role(self, alias: str, participant_uuid: str, role: str) -> None:
        """A host makes the participant a host (HOST) or a guest (GUEST)."""
        if role not in ("HOST", "GUEST"):
            raise ApiError(400, "role must be HOST or GUEST")
        room, participant = self._participant(alias, participant_uuid)
        participant.role = CHAIR if role == "HOST" else GUEST
        self._send(participant, "role", {"role": role})
        self._node.hub.broadcast([p.uuid for p in room.real_participants], "participant_update",
                                 participant.to_event(room.config))

    def peer_disconnect(self, alias: str, participant_uuid: str) -> list[str]:
        """The node's media peer goes away: its calls end and `peer_disconnect` is sent."""
        _room, participant = self._participant(alias, participant_uuid)
        ended = []
        for call in participant.calls.values():
            if call.state is not CallState.DISCONNECTED:
                call.state = CallState.DISCONNECTED
                call.disconnect_reason = "peer_disconnect"
                self._node.spawn(call.far_end.close())
                ended.append(call.call_uuid)
        self._send(participant, "peer_disconnect", {})
        return ended

    def raw_event(self, alias: str, participant_uuid: str, name: str, data: Any) -> None:
        """Any event, as given (broken payloads included)."""
        _room, participant = self._participant(alias, participant_uuid)
        self._node.hub.send(participant.uuid, name, data, keep=True,
                            off_schema="an event exactly as a test gave it")

    def roster_burst(self, alias: str, participants: int, updates: int) -> dict[str, int]:
        """`participants` simulated guests join, then `updates` participant_update events
        (mutes, cameras, hands) arrive as one burst."""
        room = self._node.room(alias)
        added = []
        for index in range(participants):
            name = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {index + 1:03d}"
            added.append(self._node.add_simulated_guest(room, name))
        pool = added or [p for p in room.participants.values() if p.simulated]
        audience = [p.uuid for p in room.real_participants]
        for _ in range(updates if pool else 0):
            who = self._random.choice(pool)
            change = self._random.randrange(3)
            if change == 0:
                who.is_muted = not who.is_muted
            elif change == 1:
                who.is_video_muted = not who.is_video_muted
            else:
                who.buzz_time = 0.0 if who.buzz_time else time.time()
            self._node.hub.broadcast(audience, "participant_update", who.to_event(room.config))
        return {"participants": len(added), "updates": updates if pool else 0}


class ScriptRoutes:
    """The `/_sim/` routes of `MeetingScript` and `Breakouts` (see control_api.py)."""

    def __init__(self, node: SimulatedNode, breakouts: Breakouts) -> None:
        self._script = MeetingScript(node)
        self._breakouts = breakouts

    def add_routes(self, app: web.Application) -> None:
        """Register the routes."""
        app.add_routes([
            web.post(_ROOM + "/lobby", self.lobby),
            web.post(_ROOM + "/message", self.message),
            web.post(_ROOM + "/roster_burst", self.roster_burst),
            web.post(_ROOM + "/breakouts", self.open_breakout),
            web.post(_ROOM + "/breakouts/{breakout_uuid}/end", self.close_breakout),
            web.post(_PARTICIPANT + "/hand", self.hand),
            web.post(_PARTICIPANT + "/hold", self.hold),
            web.post(_PARTICIPANT + "/splash", self.splash),
            web.post(_PARTICIPANT + "/transfer", self.transfer),
            web.post(_PARTICIPANT + "/role", self.role),
            web.post(_PARTICIPANT + "/peer_disconnect", self.peer_disconnect),
            web.post(_PARTICIPANT + "/event", self.event),
        ])

    async def lobby(self, request: web.Request) -> web.Response:
        """Simulated guests wait in the lobby."""
        body = await read_json_object(request)
        names = body.get("names", ["Guest"])
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ApiError(400, "names must be a list of names")
        return reply({"waiting": self._script.lobby(request.match_info["alias"], names)})

    async def message(self, request: web.Request) -> web.Response:
        """A chat message to everyone (or one participant)."""
        body = await read_json_object(request)
        to = body.get("to")
        if to is not None and not isinstance(to, str):
            raise ApiError(400, "to must be a participant uuid")
        sent = self._script.message(request.match_info["alias"], _text(body, "origin", "Host"),
                                    _text(body, "text"), to)
        return reply({"sent": sent})

    async def roster_burst(self, request: web.Request) -> web.Response:
        """Many simulated guests join, then a burst of updates."""
        body = await read_json_object(request)
        return reply(self._script.roster_burst(request.match_info["alias"],
                                               _count(body, "participants", 200),
                                               _count(body, "updates", 500)))

    async def open_breakout(self, request: web.Request) -> web.Response:
        """Send participants into a breakout room."""
        body = await read_json_object(request)
        members = body.get("participants")
        if not isinstance(members, list) or not members or not all(
                isinstance(m, str) for m in members):
            raise ApiError(400, "participants must be a list of participant uuids")
        return reply(self._breakouts.open(request.match_info["alias"],
                                          _text(body, "name", "Breakout room"), members))

    async def close_breakout(self, request: web.Request) -> web.Response:
        """End a breakout room."""
        return reply(self._breakouts.close(request.match_info["alias"],
                                           request.match_info["breakout_uuid"]))

    async def hand(self, request: web.Request) -> web.Response:
        """A participant raises or lowers the hand."""
        body = await read_json_object(request)
        raised = body.get("raised", True)
        if not isinstance(raised, bool):
            raise ApiError(400, "raised must be true or false")
        self._script.hand(request.match_info["alias"], request.match_info["participant_uuid"],
                          raised)
        return reply(True)

    async def hold(self, request: web.Request) -> web.Response:
        """Hold (or resume) a participant's call."""
        body = await read_json_object(request)
        setting = body.get("setting", True)
        if not isinstance(setting, bool):
            raise ApiError(400, "setting must be true or false")
        self._script.hold(request.match_info["alias"], request.match_info["participant_uuid"],
                          setting)
        return reply(True)

    async def splash(self, request: web.Request) -> web.Response:
        """Show (or clear) a splash screen."""
        body = await read_json_object(request)
        key = body.get("screen_key")
        if key is not None and (not isinstance(key, str) or not key):
            raise ApiError(400, "screen_key must be a screen name or null")
        duration = body.get("display_duration")
        if duration is not None and (isinstance(duration, bool)
                                     or not isinstance(duration, (int, float))):
            raise ApiError(400, "display_duration must be a number of seconds")
        self._script.splash(request.match_info["alias"], request.match_info["participant_uuid"],
                            key, duration)
        return reply(True)

    async def transfer(self, request: web.Request) -> web.Response:
        """Transfer a participant (`refer`)."""
        body = await read_json_object(request)
        return reply(self._script.transfer(request.match_info["alias"],
                                           request.match_info["participant_uuid"],
                                           _text(body, "to")))

    async def role(self, request: web.Request) -> web.Response:
        """Make a participant HOST or GUEST."""
        body = await read_json_object(request)
        self._script.role(request.match_info["alias"], request.match_info["participant_uuid"],
                          _text(body, "role").upper())
        return reply(True)

    async def peer_disconnect(self, request: web.Request) -> web.Response:
        """End a participant's calls with `peer_disconnect`."""
        return reply({"calls": self._script.peer_disconnect(
            request.match_info["alias"], request.match_info["participant_uuid"])})

    async def event(self, request: web.Request) -> web.Response:
        """Send any event as given."""
        body = await read_json_object(request)
        self._script.raw_event(request.match_info["alias"], request.match_info["participant_uuid"],
                               _text(body, "name"), body.get("data"))
        return reply(True)
