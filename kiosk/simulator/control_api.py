"""The simulator's control API under `/_sim/`, for tests and the demo.

Replies use the protocol's shape `{"status": "success", "result": ...}`; errors
are `{"status": "failed", "result": "<reason>"}` with 400 (bad body) or 404
(unknown room or participant). Bodies are optional JSON objects.

- `GET  /_sim/rooms` → `[{alias, name, extension, virtual_reception, pin_rule,
  participant_count, host_present}]`
- `GET  /_sim/rooms/{alias}` → `{alias, name, extension, virtual_reception, pin_rule,
  host_present, conference: {<conference_update data>}, participant_count,
  participants: [{<participant object>, simulated, entry_alias, token_refreshes,
  event_streams, calls: [{call_uuid, state: answered|active|disconnected, present,
  updates, server_offers, server_offers_answered, disconnect_reason,
  media: {connection_state, ice_state,
  video_frames_received, video_keyframes_received, black_video_frames,
  video_resolution: [w, h] | null,
  audio_packets_received, silent_audio_frames, first_video_frame_after,
  video_frames_sent, audio_frames_sent, ice_blackhole, blackholed_datagrams}}]}],
  dtmf: [{participant_uuid, call_uuid, digits, time}],
  departed: [{uuid, display_name, role, simulated, reason, time}]}`
- `POST /_sim/rooms/{alias}/host` `{"display_name"?}` → `{participant_uuid, admitted: [uuid]}`
- `POST /_sim/rooms/{alias}/host/leave` → `{left: [uuid]}`
- `POST /_sim/rooms/{alias}/end` `{"reason"?}` → `{disconnected: n}`
- `POST /_sim/rooms/{alias}/participants/{uuid}/call_disconnect` `{"reason"?}` →
  `{calls: [call_uuid]}` (each gets a `call_disconnected` event; its peer closes)
- `POST /_sim/rooms/{alias}/participants/{uuid}/renegotiate` `{"event"?: "new_offer" |
  "update_sdp"}` → `{call_uuid, event}`: the far end of the participant's live call makes
  a new offer and sends it as that event `{"sdp": offer}`; the kiosk's
  `calls/{call_uuid}/ack {"sdp": answer}` is applied and counted in `server_offers_answered`
  (404 without a live call, 409 while a negotiation is in progress)
- `POST /_sim/rooms/{alias}/participants/{uuid}/keyframe_request` → `{call_uuid,
  requests_sent}`: the far end of the live call sends an RTCP PLI for each video stream
  it receives (`keyframe_request.py`); `video_keyframes_received` counts what came back
- `POST /_sim/rooms/{alias}/participants/{uuid}/refresh` → `true` (a `refresh_token` event)
- `POST /_sim/rooms/{alias}/participants/{uuid}/disconnect` `{"reason"?}` → `true`
- `POST /_sim/rooms/{alias}/present` `{"name"?: "Anna Svensson", "mode"?: "stream" | "jpeg"}`
  → `{presenter_uuid, mode}`: a simulated participant presents a slide deck (presenter.py);
  `DELETE /_sim/rooms/{alias}/present` → `{stopped: bool}`
- `POST /_sim/rooms/{alias}/presentation_options` `{"answer_slides": bool}` → `true`
  (false: later calls get their slides m-line answered `inactive`, like an older node)
- `POST /_sim/rooms/{alias}/captions` `{"lines"?: [str], "word_seconds"?: 0.25}` →
  `{lines: n}`: live captions spoken to the participants that asked for them
- `GET /_sim/rooms/{alias}` also has `layout`, `presentation: {answer_slides, presentations,
  jpegs_served: {uuid: n}, low_jpegs_served: {uuid: n}, presentation: {presenter_name,
  presenter_uuid, mode, slide, frames, slides_rendered} | null}`, `captions: {wanted, sent}`,
  and each call's `media` `slides_negotiated`, `slides_frames_sent`, `present_main`
  (routes: presentation_api.py)
- `POST /_sim/rooms/{alias}/lobby` `{"names"?: [..]}` → `{waiting: [uuid]}`: simulated guests
  wait in the lobby (`service_type: waiting_room`) until a host admits them (`unlock`,
  `start_conference`); a locked room also holds real guests there
- `POST /_sim/rooms/{alias}/message` `{"text", "origin"?, "to"?: uuid}` → `{sent: n}`
  (`message_received` {origin, uuid, type: text/plain, payload, direct})
- `POST /_sim/rooms/{alias}/roster_burst` `{"participants"?=200, "updates"?=500}` →
  `{participants, updates}`: simulated guests join, then a burst of participant_update
- `POST /_sim/rooms/{alias}/breakouts` `{"participants": [uuid], "name"?}` →
  `{breakout_uuid, name, members: {uuid: uuid in the breakout}}` (`breakout_begin`,
  `breakout_refer`; 409 for a participant that did not ask with `breakout_capable`);
  calls are then made under `/conferences/{alias}/breakouts/{breakout_uuid}/...`
- `POST /_sim/rooms/{alias}/breakouts/{breakout_uuid}/end` → `{ended, members}` (`breakout_end`)
- `POST /_sim/rooms/{alias}/participants/{uuid}/hand` `{"raised"?=true}` → `true` (buzz_time)
- `POST /_sim/rooms/{alias}/participants/{uuid}/hold` `{"setting"?=true}` → `true` (`on_hold`)
- `POST /_sim/rooms/{alias}/participants/{uuid}/splash` `{"screen_key": key | null,
  "display_duration"?}` → `true` (`splash_screen`; the theme is at `GET .../theme/`)
- `POST /_sim/rooms/{alias}/participants/{uuid}/transfer` `{"to": alias}` → `{alias}`
  (`refer` {alias, token}: a one-time token valid once for `request_token` body `token`)
- `POST /_sim/rooms/{alias}/participants/{uuid}/role` `{"role": HOST|GUEST}` → `true` (`role`)
- `POST /_sim/rooms/{alias}/participants/{uuid}/peer_disconnect` → `{calls}` (its calls end)
- `POST /_sim/rooms/{alias}/participants/{uuid}/event` `{"name", "data"?}` → `true` (raw event)
- `GET /_sim/rooms/{alias}` also lists `breakouts` and `help_requests` (`breakoutbuzz`)
- `GET  /_sim/faults` → `[{id, path_contains, status, count, remaining, delay, body,
  ice_blackhole, headers, trickle_every, trickle_from, endless_body}]`
- `POST /_sim/faults` `{path_contains, status?, count?=1, delay?=0, body?, headers?,
  drop_events?, ice_blackhole?, trickle_every?, trickle_from?, endless_body?,
  flood_events?, flood_participants?=50, raw_event_bytes?}` →
  `{fault: {...} | null, dropped_streams: n, injected_streams: n}`;
  `ice_blackhole: true` answers the matching `calls` request from a far end whose ICE
  never responds; `headers` go on the failing reply (`{"Retry-After": "3"}`);
  `trickle_every: s` writes the matching reply one byte every s seconds, from its
  first byte (`trickle_from: "headers"`) or from its body (`"body"`); `endless_body:
  true` answers 200 with a chunked body that never ends (see `hostile_replies.py`).
  At once, into the open event streams whose path contains `path_contains`:
  `flood_events: N` writes N `participant_update` events (about `flood_participants`
  made-up participants) as fast as the client reads; `raw_event_bytes: "<base64>"`
  writes those bytes as they are (see `stream_faults.py`)
- `DELETE /_sim/faults` → `{cleared: n}`
- `GET  /_sim/calendar.ics` → the demo room's iCalendar feed, relative to the simulator's
  start (ETag / If-None-Match → 304); see `demo_calendar.py`
- `POST /_sim/calendar` `{"fail_status": 503 | null}` → `{fail_status}`: the feed answers that
  status (the calendar server is down) until null
- `POST /_sim/rooms/{alias}/participants/{uuid}/reoffer` `{"event"?, "ice_restart"?: bool,
  "video"?: "h264_mode0_only"}` and `POST`/`DELETE /_sim/answer_rewrites` `{"video":
  "h264_mode0_first" | "h264_mode0_only", "count"?}`: SDP a real node may send (an ICE
  restart, H.264 packetization-mode 0), in `sdp_faults.py`
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from kiosk.simulator.fault_injector import Fault, FaultInjector
from kiosk.simulator.keyframe_request import request_keyframe
from kiosk.simulator.node import (
    DEFAULT_END_REASON,
    KICKED_REASON,
    SIMULATED_HOST_NAME,
    SimulatedNode,
)
from kiosk.simulator.protocol_replies import ApiError, read_json_object, reply
from kiosk.simulator.stream_faults import (
    MAX_FLOOD_EVENTS,
    EventFlood,
    RawStreamBytes,
    StreamFault,
)

CONTROL_PREFIX = "/_sim"
_ROOM = CONTROL_PREFIX + "/rooms/{alias}"
_PARTICIPANT = _ROOM + "/participants/{participant_uuid}"
SERVER_CALL_DISCONNECT_REASON = "Call disconnected by the simulator"


def _text(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"{key} must be a non-empty string")
    return value.strip()


def _stream_faults(body: dict[str, Any]) -> list[StreamFault]:
    """The flood and raw bytes a `POST /_sim/faults` body asks for (400 if malformed)."""
    faults: list[StreamFault] = []
    flood = body.get("flood_events")
    if flood is not None:
        participants = body.get("flood_participants", 50)
        for name, value, top in (("flood_events", flood, MAX_FLOOD_EVENTS),
                                 ("flood_participants", participants, 100_000)):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
                raise ApiError(400, f"{name} must be a whole number from 1 to {top}")
        faults.append(EventFlood(count=flood, participants=participants))
    raw = body.get("raw_event_bytes")
    if raw is not None:
        try:
            data = base64.b64decode(raw, validate=True) if isinstance(raw, str) else b""
        except binascii.Error:
            data = b""
        if not data:
            raise ApiError(400, "raw_event_bytes must be non-empty base64")
        faults.append(RawStreamBytes(data))
    return faults


class ControlApi:
    """Binds `/_sim/` routes to the node and the fault injector."""

    def __init__(self, node: SimulatedNode, faults: FaultInjector) -> None:
        self._node = node
        self._faults = faults

    def add_routes(self, app: web.Application) -> None:
        """Register every control route on `app`."""
        app.add_routes(
            [
                web.get(CONTROL_PREFIX + "/rooms", self.rooms),
                web.get(_ROOM, self.room),
                web.post(_ROOM + "/host", self.host_joins),
                web.post(_ROOM + "/host/leave", self.host_leaves),
                web.post(_ROOM + "/end", self.end),
                web.post(_PARTICIPANT + "/call_disconnect", self.call_disconnect),
                web.post(_PARTICIPANT + "/renegotiate", self.renegotiate),
                web.post(_PARTICIPANT + "/keyframe_request", self.keyframe_request),
                web.post(_PARTICIPANT + "/refresh", self.refresh),
                web.post(_PARTICIPANT + "/disconnect", self.disconnect),
                web.get(CONTROL_PREFIX + "/faults", self.list_faults),
                web.post(CONTROL_PREFIX + "/faults", self.add_fault),
                web.delete(CONTROL_PREFIX + "/faults", self.clear_faults),
            ]
        )

    async def rooms(self, request: web.Request) -> web.Response:
        """Every room with its alias, name, extension and participant count."""
        return reply(
            [
                {
                    "alias": room.config.alias,
                    "name": room.config.name,
                    "extension": room.config.extension,
                    "virtual_reception": room.config.virtual_reception,
                    "pin_rule": room.config.pin_rule.value,
                    "participant_count": len(room.participants),
                    "host_present": room.host_present,
                }
                for room in self._node.rooms()
            ]
        )

    async def room(self, request: web.Request) -> web.Response:
        """Roster, DTMF received, calls and media counters of one room."""
        return reply(self._node.room_snapshot(request.match_info["alias"]))

    async def host_joins(self, request: web.Request) -> web.Response:
        """A simulated host joins (body optional: `{"display_name": ...}`)."""
        body = await read_json_object(request)
        name = _text(body, "display_name", SIMULATED_HOST_NAME)
        return reply(self._node.host_joins(request.match_info["alias"], name))

    async def host_leaves(self, request: web.Request) -> web.Response:
        """The simulated host(s) leave."""
        return reply(self._node.host_leaves(request.match_info["alias"]))

    async def end(self, request: web.Request) -> web.Response:
        """Everyone is disconnected (body optional: `{"reason": ...}`)."""
        body = await read_json_object(request)
        reason = _text(body, "reason", DEFAULT_END_REASON)
        room = self._node.room(request.match_info["alias"])
        return reply({"disconnected": self._node.end_conference(room, reason)})

    async def call_disconnect(self, request: web.Request) -> web.Response:
        """The node ends a participant's calls (`call_disconnected` event)."""
        body = await read_json_object(request)
        reason = _text(body, "reason", SERVER_CALL_DISCONNECT_REASON)
        ended = self._node.server_call_disconnect(
            request.match_info["alias"], request.match_info["participant_uuid"], reason
        )
        return reply({"calls": ended})

    async def renegotiate(self, request: web.Request) -> web.Response:
        """The far end sends a new offer (`new_offer`, or `update_sdp` if the body says so)."""
        body = await read_json_object(request)
        event = _text(body, "event", "new_offer")
        result = await self._node.server_offer(
            request.match_info["alias"], request.match_info["participant_uuid"], event
        )
        return reply(result)

    async def keyframe_request(self, request: web.Request) -> web.Response:
        """The far end asks the participant's kiosk for a keyframe (RTCP PLI)."""
        return reply(await request_keyframe(
            self._node, request.match_info["alias"], request.match_info["participant_uuid"]
        ))

    async def refresh(self, request: web.Request) -> web.Response:
        """Send the participant a `refresh_token` event."""
        self._node.ask_refresh(request.match_info["alias"], request.match_info["participant_uuid"])
        return reply(True)

    async def disconnect(self, request: web.Request) -> web.Response:
        """Disconnect one participant (body optional: `{"reason": ...}`)."""
        body = await read_json_object(request)
        reason = _text(body, "reason", KICKED_REASON)
        self._node.kick(request.match_info["alias"], request.match_info["participant_uuid"], reason)
        return reply(True)

    async def list_faults(self, request: web.Request) -> web.Response:
        """The armed faults."""
        return reply([fault.to_json() for fault in self._faults.active()])

    async def add_fault(self, request: web.Request) -> web.Response:
        """Arm a fault, and/or write a flood or raw bytes into the open event streams, and/or
        cut them (`drop_events: true`), now."""
        body = await read_json_object(request)
        drop = body.get("drop_events", False)
        if not isinstance(drop, bool):
            raise ApiError(400, "drop_events must be true or false")
        fault = Fault.from_json(body)
        stream_faults = _stream_faults(body)
        armed = None
        if fault.arms_something:
            armed = self._faults.add(fault).to_json()
        elif not drop and not stream_faults:
            raise ApiError(400, "a fault needs a status, a delay, ice_blackhole, a trickle, an "
                                "endless body, a flood, raw bytes or drop_events")
        injected = 0
        for stream_fault in stream_faults:
            injected = self._node.hub.inject(fault.path_contains, stream_fault)
        dropped = self._node.hub.drop_streams(fault.path_contains) if drop else 0
        return reply({"fault": armed, "dropped_streams": dropped, "injected_streams": injected})

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Disarm every fault."""
        return reply({"cleared": self._faults.clear()})
