"""Breakout rooms of a simulated room: the host sends participants into one and back.

Opening a breakout sends each member `breakout_begin` {breakout_uuid, participant_uuid
(its uuid in the breakout)} and `breakout_refer` {breakout_uuid, breakout_name}; the
member then makes its call under `/conferences/{alias}/breakouts/{breakout_uuid}/
participants/{its uuid there}/...` with the meeting's own token. Closing sends
`breakout_end` {breakout_uuid, participant_uuid}: the member calls in the room again.
As in PexRTC and the Android SDK.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from kiosk.simulator.client_api import API_PREFIX
from kiosk.simulator.node import SimulatedNode
from kiosk.simulator.protocol_replies import ApiError, read_json_object, reply
from kiosk.simulator.room_state import ParticipantRecord, RoomState

_BREAKOUT = API_PREFIX + "/conferences/{alias}/breakouts/{breakout_uuid}"
_MEMBER = _BREAKOUT + "/participants/{participant_uuid}"


@dataclass(eq=False)
class BreakoutRoom:
    """One breakout room and who is in it."""

    uuid: str
    name: str
    members: dict[str, str] = field(default_factory=dict)  # room uuid -> uuid in the breakout
    ended: bool = False  # its calls may still be hung up, no new ones are made

    def snapshot(self) -> dict[str, Any]:
        """For `GET /_sim/rooms/{alias}`."""
        return {"breakout_uuid": self.uuid, "name": self.name, "members": dict(self.members),
                "ended": self.ended}


class Breakouts:
    """Opens and closes breakout rooms and serves the calls made in them."""

    def __init__(self, node: SimulatedNode) -> None:
        self._node = node

    # ------------------------------------------------------------------ control

    def open(self, alias: str, name: str, participant_uuids: list[str]) -> dict[str, Any]:
        """Send these participants into a new breakout room called `name`."""
        room = self._node.room(alias)
        breakout = BreakoutRoom(uuid=str(uuid.uuid4()), name=name)
        for participant_uuid in participant_uuids:
            participant = room.participants.get(participant_uuid)
            if participant is None:
                raise ApiError(404, "Participant not found")
            if not self._node.breakout_capable.get(participant_uuid, False):
                raise ApiError(409, "That participant did not say it can join breakout rooms")
            breakout.members[participant_uuid] = str(uuid.uuid4())
        room.breakouts[breakout.uuid] = breakout
        hub = self._node.hub
        for member, inside in breakout.members.items():
            hub.send(member, "breakout_begin",
                     {"breakout_uuid": breakout.uuid, "participant_uuid": inside}, keep=True)
            hub.send(member, "breakout_refer",
                     {"breakout_uuid": breakout.uuid, "breakout_name": name}, keep=True)
        return breakout.snapshot()

    def close(self, alias: str, breakout_uuid: str) -> dict[str, Any]:
        """End a breakout room: its members go back to the room."""
        room = self._node.room(alias)
        breakout = room.breakouts.get(breakout_uuid)
        if breakout is None or breakout.ended:
            raise ApiError(404, "Breakout not found")
        breakout.ended = True
        for member, inside in breakout.members.items():
            self._node.hub.send(member, "breakout_end",
                                {"breakout_uuid": breakout.uuid, "participant_uuid": inside},
                                keep=True)
        return {"ended": breakout.uuid, "members": list(breakout.members)}

    # ------------------------------------------------------------------ client API

    def add_routes(self, app: web.Application) -> None:
        """The Client API routes inside a breakout room."""
        app.add_routes([
            web.post(_MEMBER + "/calls", self.calls),
            web.post(_MEMBER + "/calls/{call_uuid}/{action}", self.call_action),
            web.post(_MEMBER + "/{action}", self.participant_action),
            web.post(_BREAKOUT + "/{action}", self.conference_action),
        ])

    def _member(self, request: web.Request) -> tuple[RoomState, ParticipantRecord, str]:
        token = request.headers.get("token") or request.query.get("token")
        room, actor = self._node.authenticate(request.match_info["alias"], token)
        breakout = room.breakouts.get(request.match_info["breakout_uuid"])
        if breakout is None or actor.uuid not in breakout.members:
            raise ApiError(404, "Breakout not found")
        return room, actor, breakout.uuid

    def _participant(self, request: web.Request, room: RoomState, actor: ParticipantRecord,
                     breakout_uuid: str) -> str:
        """The room uuid of the participant a breakout path names."""
        named = request.match_info["participant_uuid"]
        for member, inside in room.breakouts[breakout_uuid].members.items():
            if named in (inside, member):
                return member
        raise ApiError(404, "Participant not found")

    async def calls(self, request: web.Request) -> web.Response:
        """A WebRTC offer made in the breakout room."""
        room, actor, breakout = self._member(request)
        if room.breakouts[breakout].ended:
            raise ApiError(404, "Breakout not found")
        participant = self._participant(request, room, actor, breakout)
        body = await read_json_object(request)
        return reply(await self._node.start_call(room, actor, participant, body,
                                                 breakout=breakout))

    async def call_action(self, request: web.Request) -> web.Response:
        """ack, update, disconnect, ... of a call in the breakout room."""
        room, actor, breakout = self._member(request)
        participant = self._participant(request, room, actor, breakout)
        body = await read_json_object(request)
        return reply(await self._node.call_action(
            room, actor, participant, request.match_info["call_uuid"],
            request.match_info["action"], body))

    async def participant_action(self, request: web.Request) -> web.Response:
        """mute, buzz, ... of a participant in the breakout room."""
        room, actor, breakout = self._member(request)
        participant = self._participant(request, room, actor, breakout)
        await read_json_object(request)
        self._node.participant_action(room, actor, participant, request.match_info["action"])
        return reply(True)

    async def conference_action(self, request: web.Request) -> web.Response:
        """Commands on the breakout room (lock, muteguests, breakoutbuzz, ...)."""
        room, actor, _breakout = self._member(request)
        await read_json_object(request)
        self._node.conference_action(room, actor, request.match_info["action"])
        return reply(True)
