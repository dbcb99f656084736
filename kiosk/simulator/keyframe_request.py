"""The far end asks a participant's kiosk for a keyframe, as a decoder that lost the
picture does (RTCP PLI): `POST /_sim/rooms/{alias}/participants/{uuid}/keyframe_request`."""

from __future__ import annotations

from kiosk.simulator.node import SimulatedNode
from kiosk.simulator.protocol_replies import ApiError
from kiosk.simulator.room_state import CallState


async def request_keyframe(
    node: SimulatedNode, alias: str, participant_uuid: str
) -> dict[str, object]:
    """Send a PLI from the far end of the participant's live call; 404 without one."""
    participant = node.room(alias).participants.get(participant_uuid)
    if participant is None:
        raise ApiError(404, "Participant not found")
    live = [c for c in participant.calls.values() if c.state is not CallState.DISCONNECTED]
    if not live:
        raise ApiError(404, "The participant has no call")
    call = live[-1]
    return {"call_uuid": call.call_uuid, "requests_sent": await call.far_end.request_keyframe()}
