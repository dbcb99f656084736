"""The behaviour of a simulated Pexip Conferencing Node, independent of HTTP.

Every method runs on the simulator's event loop (no locks needed). Refusals are
raised as `ApiError` with the exact reply a real node sends; `client_api.py`
and `control_api.py` turn requests into calls here.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any

from kiosk.simulator.captions import CaptionPlayer, captions_snapshot
from kiosk.simulator.event_hub import EventHub, SseMessage, Subscription
from kiosk.simulator.far_end import AiortcFarEnds, FarEndFactory, PatternStatus
from kiosk.simulator.far_end_video import FarEndVideo
from kiosk.simulator.pin_check import HOST, role_for_pin
from kiosk.simulator.presenter import Presenter
from kiosk.simulator.protocol_replies import NODE_VERSION, ApiError
from kiosk.simulator.room_state import (
    CHAIR,
    GUEST,
    IN_CONFERENCE,
    WAITING_ROOM,
    CallRecord,
    CallState,
    ParticipantRecord,
    RoomState,
)
from kiosk.simulator.rooms import RoomConfig
from kiosk.simulator.schema_recorder import SchemaRecorder
from kiosk.simulator.token_registry import TokenRegistry

log = logging.getLogger(__name__)

NOT_FOUND = "Neither conference nor gateway found"
INVALID_TOKEN = "Invalid token"
EXPIRED_REASON = "Timer expired awaiting token refresh"
DEFAULT_END_REASON = "Conference terminated by a host"
KICKED_REASON = "Disconnected by a host"
HOST_WAIT_REASON = (
    "Timeout waiting for conference host to join or permit access to locked conference"
)
CALL_DISCONNECT_REASON = "Call disconnected"
SIMULATED_HOST_NAME = "Host"
DTMF_DIGITS = frozenset("0123456789*#ABCD")
BANDWIDTH_KBPS = 1280
SERVER_OFFER_EVENTS = ("new_offer", "update_sdp")
TRANSFER_EXPIRED = "The transfer is no longer valid"
BUZZ_ACTIONS = ("buzz", "clearbuzz")


def _float_text(seconds: float) -> str:
    """`expires` is a string of seconds: "120", or "1.5" for sub-second test settings."""
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


class SimulatedNode:
    """Rooms, participants, tokens and events of one simulated node."""

    def __init__(self, rooms: Sequence[RoomConfig], token_expires: float = 120.0,
                 far_ends: FarEndFactory | None = None) -> None:
        self.token_expires = token_expires
        # Who answers each call's media (default: aiortc far ends sending the labelled pattern).
        self.far_ends = far_ends or AiortcFarEnds(FarEndVideo(), BANDWIDTH_KBPS)
        self.hub = EventHub()
        self.recorder = SchemaRecorder()  # off until a test turns it on
        # Old tokens stay valid briefly for requests already in flight.
        self.tokens = TokenRegistry(grace=min(5.0, token_expires / 4))
        self._rooms: dict[str, RoomState] = {r.alias.lower(): RoomState(r) for r in rooms}
        self._by_extension = {r.extension: r.alias.lower() for r in rooms if r.extension}
        self._tasks: set[asyncio.Task[None]] = set()
        # Presentations, live captions (presenter.py, captions.py); layouts are RoomState's.
        self.presenter = Presenter(self.hub, self._add_simulated_host, self._broadcast)
        self.captions = CaptionPlayer(self.hub)
        # One-time tokens of transfers (`refer`): token -> the alias it admits to.
        self.transfer_tokens: dict[str, str] = {}
        self.breakout_capable: dict[str, bool] = {}  # participant uuid -> it said so
        for room in self._rooms.values():
            if room.config.hosts_present:
                self._add_simulated_host(room, SIMULATED_HOST_NAME)

    # ----------------------------------------------------------------- lookup

    def room(self, alias: str) -> RoomState:
        """The room with that alias, or the node's 404."""
        room = self._rooms.get(alias.strip().lower())
        if room is None:
            raise ApiError(404, NOT_FOUND)
        return room

    def rooms(self) -> list[RoomState]:
        """Every room, in file order."""
        return list(self._rooms.values())

    def _find_participant(self, participant_uuid: str) -> tuple[RoomState, ParticipantRecord]:
        for room in self._rooms.values():
            participant = room.participants.get(participant_uuid)
            if participant is not None:
                return room, participant
        raise ApiError(403, INVALID_TOKEN)

    def authenticate(self, alias: str, token: str | None) -> tuple[RoomState, ParticipantRecord]:
        """The room and participant of a valid token used on `alias`, or 403 "Invalid token".

        A token from a Virtual Reception works on the reception's alias and on
        the alias of the room it led to.
        """
        participant_uuid = self.tokens.participant_for(token)
        if participant_uuid is None:
            self.room(alias)  # an unknown alias is a 404 even with a bad token
            raise ApiError(403, INVALID_TOKEN)
        room, participant = self._find_participant(participant_uuid)
        used = alias.strip().lower()
        if used not in (room.alias.lower(), participant.entry_alias.lower()):
            raise ApiError(403, INVALID_TOKEN)
        return room, participant

    # ---------------------------------------------------------------- joining

    def request_token(self, alias: str, body: dict[str, Any], pin_header: str | None) -> dict:
        """Admit a participant (PIN rules, Virtual Reception, waiting room); the token reply."""
        entry = self.room(alias)
        display_name = body.get("display_name")
        if not isinstance(display_name, str) or not display_name.strip():
            raise ApiError(400, "Missing or empty display_name")
        room = entry
        if entry.config.virtual_reception:
            extension = body.get("conference_extension")
            if extension is None or (isinstance(extension, str) and not extension.strip()):
                prompt = entry.config.extension_prompt
                raise ApiError(403, prompt.reply(), status_text="success",
                               off_schema=prompt.off_schema)
            target = self._by_extension.get(str(extension).strip())
            if target is None:
                raise ApiError(404, NOT_FOUND)
            room = self._rooms[target]
        one_time = body.get("token")
        if one_time is not None and self.transfer_tokens.get(str(one_time)) != room.alias.lower():
            raise ApiError(403, TRANSFER_EXPIRED)
        role = role_for_pin(room.config, pin_header)
        is_host = role == HOST
        # A locked meeting holds newcomers in the lobby until a host lets them in.
        waiting = not is_host and (not room.host_present or room.locked)
        participant = ParticipantRecord(
            uuid=str(uuid.uuid4()),
            display_name=display_name.strip(),
            role=CHAIR if is_host else GUEST,
            service_type=WAITING_ROOM if waiting else IN_CONFERENCE,
            entry_alias=entry.alias,
            expires_at=time.monotonic() + self.token_expires,
        )
        token = self.tokens.issue(participant.uuid)
        if one_time is not None:
            self.transfer_tokens.pop(str(one_time), None)  # used once
        self.breakout_capable[participant.uuid] = bool(
            body.get("breakout_capable") or body.get("breakout_rooms"))
        self._add(room, participant)
        if room.config.presenter_name and room.config.present_after_join is not None:
            self.presenter.schedule(room, room.config.presenter_name,
                                    room.config.present_after_join)
        if is_host:
            self._schedule_lobby_guests(room)
        log.info(
            "%s joined %s as %s%s",
            participant.display_name,
            room.alias,
            role,
            " (waiting for a host)" if waiting else "",
        )
        return {
            "token": token,
            "expires": _float_text(self.token_expires),
            "participant_uuid": participant.uuid,
            "display_name": participant.display_name,
            "role": role,
            "service_type": "conference",
            "current_service_type": WAITING_ROOM if waiting else "conference",
            "conference_name": room.config.name,
            "version": dict(NODE_VERSION),
            "stun": [],
            "turn": [],
            "use_relay_candidates_only": False,
            "call_type": "video",
            "bandwidth_in": BANDWIDTH_KBPS,
            "bandwidth_out": BANDWIDTH_KBPS,
            "chat_enabled": True,
            "guests_can_present": True,
            "fecc_enabled": False,
            "rtmp_enabled": True,
            "analytics_enabled": False,
            "allow_1080p": False,
            "vp9_enabled": False,
            "trickle_ice_enabled": False,
            "direct_media": False,
            "client_stats_update_interval": 2500.0,
            # No `pex_datachannel_id`: a node sends a number only when it offers a data
            # channel (the schema has no null), and this one does not.
        }

    def _add(self, room: RoomState, participant: ParticipantRecord) -> None:
        was_started = room.host_present
        room.participants[participant.uuid] = participant
        self._broadcast(room, "participant_create", participant.to_event(room.config))
        if participant.is_host and not was_started:
            self._admit_waiting(room)
            self._broadcast(room, "conference_update", room.conference_event())

    def _admit_waiting(self, room: RoomState) -> None:
        for participant in room.participants.values():
            if participant.is_waiting:
                participant.service_type = IN_CONFERENCE
                self._broadcast(room, "participant_update", participant.to_event(room.config))

    def add_lobby_guest(self, room: RoomState, display_name: str) -> ParticipantRecord:
        """A simulated guest arrives and waits in the lobby until a host lets it in."""
        guest = ParticipantRecord(
            uuid=str(uuid.uuid4()),
            display_name=display_name,
            role=GUEST,
            service_type=WAITING_ROOM,
            entry_alias=room.alias,
            simulated=True,
        )
        room.participants[guest.uuid] = guest
        self._broadcast(room, "participant_create", guest.to_event(room.config))
        return guest

    def add_simulated_guest(self, room: RoomState, display_name: str) -> ParticipantRecord:
        """A simulated guest in the meeting itself (rosters of any size)."""
        guest = ParticipantRecord(
            uuid=str(uuid.uuid4()),
            display_name=display_name,
            role=GUEST,
            service_type=IN_CONFERENCE,
            entry_alias=room.alias,
            simulated=True,
        )
        room.participants[guest.uuid] = guest
        self._broadcast(room, "participant_create", guest.to_event(room.config))
        return guest

    def _schedule_lobby_guests(self, room: RoomState) -> None:
        """The rooms file's lobby guests arrive a while after a real host joined."""
        if not room.config.lobby_guests or room.lobby_scheduled:
            return
        room.lobby_scheduled = True

        async def arrive() -> None:
            await asyncio.sleep(room.config.lobby_guests_after)
            room.lobby_scheduled = False
            if not any(p.is_host and not p.simulated for p in room.participants.values()):
                return  # the host left meanwhile
            for name in room.config.lobby_guests:
                self.add_lobby_guest(room, name)
            log.info("%d guests wait in the lobby of %s", len(room.config.lobby_guests),
                     room.alias)

        self._spawn(arrive())

    def _add_simulated_host(self, room: RoomState, display_name: str) -> ParticipantRecord:
        host = ParticipantRecord(
            uuid=str(uuid.uuid4()),
            display_name=display_name,
            role=CHAIR,
            service_type=IN_CONFERENCE,
            entry_alias=room.alias,
            simulated=True,
        )
        self._add(room, host)
        return host

    # ------------------------------------------------------------------ tokens

    def refresh_token(self, room: RoomState, participant: ParticipantRecord) -> dict:
        """A new token; the participant's timer starts again."""
        token = self.tokens.rotate(participant.uuid)
        participant.expires_at = time.monotonic() + self.token_expires
        participant.token_refreshes += 1
        return {
            "token": token,
            "expires": _float_text(self.token_expires),
            "role": HOST if participant.is_host else "GUEST",
        }

    def release_token(self, alias: str, token: str | None, reason: str | None = None) -> None:
        """The participant leaves (the client's `reason` is kept in `departed`);
        a token of one who just left is accepted too."""
        if self.tokens.recently_revoked(token):
            return
        room, participant = self.authenticate(alias, token)
        self._remove(room, participant, reason=reason or "Released token", notify=False)

    def expire_due(self) -> None:
        """Disconnect participants who missed their token refresh or waited too long."""
        now = time.monotonic()
        for room in self._rooms.values():
            wait_limit = room.config.host_wait_timeout
            for participant in list(room.participants.values()):
                if participant.simulated:
                    continue
                if participant.expires_at <= now:
                    log.info("%s missed its refresh", participant.display_name)
                    self._remove(room, participant, reason=EXPIRED_REASON, notify=True)
                elif (
                    wait_limit is not None
                    and participant.is_waiting
                    and now - participant.waiting_since >= wait_limit
                ):
                    self._remove(room, participant, reason=HOST_WAIT_REASON, notify=True)
        self.tokens.purge()

    # ------------------------------------------------------------------ events

    def open_events(self, alias: str, token: str | None, path: str) -> Subscription:
        """A new event stream for the token's participant, starting with the roster replay."""
        room, participant = self.authenticate(alias, token)
        replay: list[SseMessage] = [self.hub.message("participant_sync_begin", None)]
        replay += [
            self.hub.message("participant_create", p.to_event(room.config))
            for p in room.participants.values()
        ]
        replay.append(self.hub.message("participant_sync_end", None))
        replay.append(self.hub.message("conference_update", room.conference_event()))
        replay += [self.hub.message(name, data) for name, data in self.presenter.replay(room)]
        return self.hub.subscribe(participant.uuid, path, replay)

    def _broadcast(self, room: RoomState, name: str, data: Any) -> None:
        self.hub.broadcast([p.uuid for p in room.real_participants], name, data)

    # ----------------------------------------------------------------- leaving

    def _remove(
        self, room: RoomState, participant: ParticipantRecord, reason: str, notify: bool
    ) -> None:
        """Take a participant out: tell it why (if `notify`), end its calls, tell the others."""
        if room.participants.get(participant.uuid) is not participant:
            return
        if notify and not participant.simulated:
            self.hub.send(participant.uuid, "disconnect", {"reason": reason}, keep=True)
        self.hub.end_streams(participant.uuid)
        self.tokens.revoke(participant.uuid)
        for call in participant.calls.values():
            self._end_call(call, reason)
        was_started = room.host_present
        del room.participants[participant.uuid]
        room.departed.append(
            {
                "uuid": participant.uuid,
                "display_name": participant.display_name,
                "role": participant.role,
                "simulated": participant.simulated,
                "reason": reason,
                "time": time.time(),
            }
        )
        self._broadcast(room, "participant_delete", {"uuid": participant.uuid})
        self.presenter.presenter_left(room, participant)
        self.captions.remove(participant.uuid)
        if not room.real_participants:
            self.presenter.room_emptied(room)
        if was_started and not room.host_present:
            self._broadcast(room, "conference_update", room.conference_event())

    def _end_call(self, call: CallRecord, reason: str) -> None:
        if call.state is CallState.DISCONNECTED:
            return
        call.state = CallState.DISCONNECTED
        call.disconnect_reason = reason
        self._spawn(call.far_end.close())

    def spawn(self, coro: Any) -> None:
        """Run `coro` on the simulator's loop; `close()` waits for it."""
        self._spawn(coro)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def end_conference(self, room: RoomState, reason: str) -> int:
        """Disconnect everyone in the room with `reason`; return how many."""
        everyone = list(room.participants.values())
        for participant in everyone:
            self._remove(room, participant, reason=reason, notify=True)
        return len(everyone)

    # -------------------------------------------------------- participant calls

    def _target(
        self, room: RoomState, actor: ParticipantRecord, participant_uuid: str, host_may: bool
    ) -> ParticipantRecord:
        target = room.participants.get(participant_uuid)
        if target is None:
            raise ApiError(404, "Participant not found")
        if target is not actor and not (host_may and actor.is_host):
            raise ApiError(403, "Permission denied")
        return target

    def participant_action(
        self, room: RoomState, actor: ParticipantRecord, participant_uuid: str, action: str
    ) -> None:
        """mute/unmute, client_mute/client_unmute, video_muted/video_unmuted, disconnect, unlock."""
        flags = {
            "mute": ("is_muted", True),
            "unmute": ("is_muted", False),
            "client_mute": ("is_client_muted", True),
            "client_unmute": ("is_client_muted", False),
            "video_muted": ("is_video_muted", True),
            "video_unmuted": ("is_video_muted", False),
        }
        if action in flags:
            target = self._target(room, actor, participant_uuid, host_may=True)
            name, value = flags[action]
            if getattr(target, name) != value:
                setattr(target, name, value)
                self._broadcast(room, "participant_update", target.to_event(room.config))
            return
        if action == "disconnect":
            target = self._target(room, actor, participant_uuid, host_may=True)
            if target is actor:
                self._remove(room, target, reason="Participant disconnected", notify=False)
            else:
                self._remove(room, target, reason=KICKED_REASON, notify=True)
            return
        if action in ("show_live_captions", "hide_live_captions"):
            target = self._target(room, actor, participant_uuid, host_may=False)
            self.captions.set_wanted(room, target.uuid, action == "show_live_captions")
            return
        if action in BUZZ_ACTIONS:
            target = self._target(room, actor, participant_uuid, host_may=True)
            raised = action == "buzz"
            if bool(target.buzz_time) != raised:
                target.buzz_time = time.time() if raised else 0.0
                self._broadcast(room, "participant_update", target.to_event(room.config))
            return
        if action == "unlock":
            target = room.participants.get(participant_uuid)
            if target is None:
                raise ApiError(404, "Participant not found")
            if not actor.is_host:
                raise ApiError(403, "Permission denied")
            if target.is_waiting:
                target.service_type = IN_CONFERENCE
                self._broadcast(room, "participant_update", target.to_event(room.config))
            return
        raise ApiError(404, f"Unknown participant command: {action}")

    def conference_action(self, room: RoomState, actor: ParticipantRecord, action: str) -> None:
        """Host commands: disconnect (for all), start_conference, lock/unlock, (un)muteguests."""
        if action not in (
            "disconnect",
            "start_conference",
            "lock",
            "unlock",
            "muteguests",
            "unmuteguests",
            "clearallbuzz",
            "breakoutbuzz",
        ):
            raise ApiError(404, f"Unknown conference command: {action}")
        if action == "breakoutbuzz":
            # A participant in a breakout room asks the host for help.
            room.help_requests.append({"participant_uuid": actor.uuid, "time": time.time()})
            return
        if not actor.is_host:
            raise ApiError(403, "Permission denied")
        if action == "clearallbuzz":
            for participant in room.participants.values():
                if participant.buzz_time:
                    participant.buzz_time = 0.0
                    self._broadcast(room, "participant_update", participant.to_event(room.config))
            return
        if action == "disconnect":
            self.end_conference(room, DEFAULT_END_REASON)
        elif action == "start_conference":
            self._admit_waiting(room)
        else:
            if action in ("lock", "unlock"):
                room.locked = action == "lock"
            else:
                room.guests_muted = action == "muteguests"
            self._broadcast(room, "conference_update", room.conference_event())

    def record_dtmf(
        self,
        room: RoomState,
        actor: ParticipantRecord,
        participant_uuid: str,
        body: dict[str, Any],
        call_uuid: str | None = None,
    ) -> None:
        """Keep the digits a participant sent, for `GET /_sim/rooms/{alias}`."""
        target = self._target(room, actor, participant_uuid, host_may=False)
        digits = body.get("digits")
        if not isinstance(digits, str) or not digits or not set(digits) <= DTMF_DIGITS:
            raise ApiError(400, "Invalid DTMF digits: use 0-9 * # A B C D")
        if call_uuid is not None and call_uuid not in target.calls:
            raise ApiError(404, "Call not found")
        room.dtmf.append(
            {
                "participant_uuid": target.uuid,
                "call_uuid": call_uuid,
                "digits": digits,
                "time": time.time(),
            }
        )

    # -------------------------------------------------------------------- media

    def _pattern_status(self, room: RoomState, participant_uuid: str,
                        breakout: str | None = None) -> PatternStatus:
        participant = room.participants.get(participant_uuid)
        inside = room.breakouts.get(breakout) if breakout else None
        return PatternStatus(
            room_name=inside.name if inside is not None else room.config.name,
            participant_count=len(room.participants),
            waiting=participant is not None and participant.is_waiting,
        )

    async def start_call(
        self,
        room: RoomState,
        actor: ParticipantRecord,
        participant_uuid: str,
        body: dict[str, Any],
        ice_blackhole: bool = False,
        breakout: str | None = None,
    ) -> dict[str, str]:
        """Answer a WebRTC offer with a new far-end peer: `{"call_uuid", "sdp"}`.

        `ice_blackhole` (an injected fault): the far end's ICE never answers.
        `breakout`: the call is made in that breakout room."""
        target = self._target(room, actor, participant_uuid, host_may=False)
        call_type = body.get("call_type", "WEBRTC")
        if not isinstance(call_type, str) or call_type.upper() != "WEBRTC":
            raise ApiError(400, "Unsupported call_type: only WEBRTC is offered here")
        offer = body.get("sdp")
        if not isinstance(offer, str) or not offer.strip():
            raise ApiError(400, "Missing sdp offer")
        present = body.get("present")
        call_uuid = str(uuid.uuid4())
        far_end = self.far_ends(
            label=f"{room.alias}/{target.display_name}",
            status=lambda: self._pattern_status(room, target.uuid, breakout),
            ice_blackhole=ice_blackhole,
        )
        presentation = getattr(far_end, "set_presentation", None)
        if callable(presentation):  # the simulator's own far ends take presentations
            presentation(self.presenter.feed(room), self.presenter.room(room).answer_slides,
                         present == "main")
        try:
            answer = await far_end.answer(offer)
        except ValueError as exc:
            await far_end.close()
            raise ApiError(400, f"Invalid SDP offer: {exc}") from None
        if room.participants.get(target.uuid) is not target:
            # The participant left while the answer was being made.
            await far_end.close()
            raise ApiError(403, INVALID_TOKEN)
        was_media = target.has_media
        target.calls[call_uuid] = CallRecord(
            call_uuid=call_uuid,
            far_end=far_end,
            present=present if isinstance(present, str) else None,
            breakout=breakout,
        )
        if not was_media:
            self._broadcast(room, "participant_update", target.to_event(room.config))
        return {"call_uuid": call_uuid, "sdp": answer}

    def _call(
        self, room: RoomState, actor: ParticipantRecord, participant_uuid: str, call_uuid: str
    ) -> CallRecord:
        target = self._target(room, actor, participant_uuid, host_may=False)
        call = target.calls.get(call_uuid)
        if call is None or call.state is CallState.DISCONNECTED:
            raise ApiError(404, "Call not found")
        return call

    async def call_action(
        self,
        room: RoomState,
        actor: ParticipantRecord,
        participant_uuid: str,
        call_uuid: str,
        action: str,
        body: dict[str, Any],
    ) -> Any:
        """ack, update, new_candidate, disconnect and dtmf on one call; the `result`."""
        if action == "dtmf":
            self.record_dtmf(room, actor, participant_uuid, body, call_uuid=call_uuid)
            return True
        call = self._call(room, actor, participant_uuid, call_uuid)
        if action == "ack":
            answer = body.get("sdp")
            if answer is not None:
                # The answer to a server offer (new_offer / update_sdp).
                if not isinstance(answer, str) or not answer.strip():
                    raise ApiError(400, "sdp must be an SDP answer")
                try:
                    await call.far_end.apply_answer(answer)
                except ValueError as exc:
                    raise ApiError(400, f"Invalid SDP answer: {exc}") from None
                call.server_offers_answered += 1
            call.state = CallState.ACTIVE
            return True
        if action == "new_candidate":
            return None  # the schema's result is null
        if action == "update":
            offer = body.get("sdp")
            if not isinstance(offer, str) or not offer.strip():
                raise ApiError(400, "Missing sdp offer")
            try:
                answer = await call.far_end.renegotiate(offer)
            except ValueError as exc:
                raise ApiError(400, f"Invalid SDP offer: {exc}") from None
            call.updates += 1
            # Real nodes answer `update` with the bare SDP string.
            return answer
        if action == "disconnect":
            target = room.participants[participant_uuid]
            self._end_call(call, "Call disconnected by the client")
            if not target.has_media:
                self._broadcast(room, "participant_update", target.to_event(room.config))
            return None  # the schema's result is null
        raise ApiError(404, f"Unknown call command: {action}")

    # ------------------------------------------------------------ control API

    def host_joins(self, alias: str, display_name: str = SIMULATED_HOST_NAME) -> dict[str, Any]:
        """A simulated host enters the room; waiting guests are let in."""
        room = self.room(alias)
        waiting = [p.uuid for p in room.participants.values() if p.is_waiting]
        host = self._add_simulated_host(room, display_name)
        return {"participant_uuid": host.uuid, "admitted": waiting}

    def host_leaves(self, alias: str) -> dict[str, Any]:
        """Every simulated host leaves the room (admitted guests stay)."""
        room = self.room(alias)
        hosts = [p for p in room.participants.values() if p.simulated]
        for host in hosts:
            self._remove(room, host, reason="Host left", notify=False)
        return {"left": [h.uuid for h in hosts]}

    def kick(self, alias: str, participant_uuid: str, reason: str) -> None:
        """Disconnect one participant with `reason`."""
        room = self.room(alias)
        participant = room.participants.get(participant_uuid)
        if participant is None:
            raise ApiError(404, "Participant not found")
        self._remove(room, participant, reason=reason, notify=True)

    def server_call_disconnect(self, alias: str, participant_uuid: str, reason: str) -> list[str]:
        """The node ends a participant's calls: `call_disconnected` for each; their uuids."""
        room = self.room(alias)
        participant = room.participants.get(participant_uuid)
        if participant is None:
            raise ApiError(404, "Participant not found")
        ended = []
        for call in participant.calls.values():
            if call.state is not CallState.DISCONNECTED:
                self.hub.send(
                    participant.uuid,
                    "call_disconnected",
                    {"call_uuid": call.call_uuid, "reason": reason},
                    keep=True,
                )
                self._end_call(call, reason)
                ended.append(call.call_uuid)
        if ended:
            self._broadcast(room, "participant_update", participant.to_event(room.config))
        return ended

    async def server_offer(self, alias: str, participant_uuid: str, event: str) -> dict[str, str]:
        """The far end of the participant's live call makes a new offer and sends it as
        `event` (`new_offer` or `update_sdp`); the kiosk answers with `ack {sdp}`."""
        if event not in SERVER_OFFER_EVENTS:
            raise ApiError(400, "event must be new_offer or update_sdp")
        room = self.room(alias)
        participant = room.participants.get(participant_uuid)
        if participant is None:
            raise ApiError(404, "Participant not found")
        live = [c for c in participant.calls.values() if c.state is not CallState.DISCONNECTED]
        if not live:
            raise ApiError(404, "The participant has no call")
        call = live[-1]
        try:
            offer = await call.far_end.create_offer()
        except ValueError as exc:
            raise ApiError(409, f"Cannot renegotiate now: {exc}") from None
        call.server_offers += 1
        self.hub.send(participant.uuid, event, {"sdp": offer}, keep=True)
        return {"call_uuid": call.call_uuid, "event": event}

    def ask_refresh(self, alias: str, participant_uuid: str) -> None:
        """Send the participant a `refresh_token` event."""
        room = self.room(alias)
        if participant_uuid not in room.participants:
            raise ApiError(404, "Participant not found")
        self.hub.send(participant_uuid, "refresh_token", {}, keep=True)

    def room_snapshot(self, alias: str) -> dict[str, Any]:
        """Everything about a room for `GET /_sim/rooms/{alias}`."""
        room = self.room(alias)
        config = room.config
        return {
            "alias": config.alias,
            "name": config.name,
            "extension": config.extension,
            "virtual_reception": config.virtual_reception,
            "pin_rule": config.pin_rule.value,
            "host_present": room.host_present,
            "conference": room.conference_event(),
            "participant_count": len(room.participants),
            "participants": [
                p.snapshot(config, self.hub.stream_count(p.uuid))
                for p in room.participants.values()
            ],
            "dtmf": list(room.dtmf),
            "departed": list(room.departed),
            "layout": room.layout,
            "presentation": self.presenter.snapshot(room),
            "captions": captions_snapshot(self.captions, room),
            "breakouts": [b.snapshot() for b in room.breakouts.values()],
            "help_requests": list(room.help_requests),
        }

    # --------------------------------------------------------------- shutdown

    async def close(self) -> None:
        """End every stream and far end (the node is stopping)."""
        await self.presenter.close()
        await self.captions.close()
        self.hub.close_all()
        closing = [
            call.far_end.close()
            for room in self._rooms.values()
            for participant in room.participants.values()
            for call in participant.calls.values()
        ]
        await asyncio.gather(*closing, return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
