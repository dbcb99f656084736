"""Malformed node replies never crash the session: a scripted node answers the token request
with arbitrary JSON (hypothesis); the session ends in a state with a reason, then leaves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scripted_node import Reply, ScriptedNode

from kiosk.conference import ConferenceSession
from kiosk.config import Settings
from kiosk.session_state import ErrorCode, SessionState

S = SessionState
ALIAS = "meet.x"
TOKEN_REPLY: dict[str, Any] = {
    "token": "TOKEN-abc", "expires": "120", "participant_uuid": "p-1", "role": "HOST",
    "service_type": "conference", "current_service_type": "conference",
    "conference_name": "Scripted",
}
# Where a reply of any shape may leave the session: a prompt, the meeting, or a reasoned error.
SETTLED = {S.ERROR, S.PIN_REQUIRED, S.PIN_OPTIONAL, S.EXTENSION_REQUIRED, S.CONNECTED,
           S.WAITING_FOR_HOST}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedNode]:
    with ScriptedNode(tmp_path_factory.mktemp("malformed")) as scripted:
        yield scripted


def json_values() -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    # Keys of real replies (token and 403 shapes), so that near-valid objects are common.
    keys = st.sampled_from([*TOKEN_REPLY, "pin", "guest_pin", "conference_extension"])
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3)
        | st.dictionaries(keys | st.text(max_size=6), inner, max_size=5),
        max_leaves=10,
    )


async def join_and_leave(settings_: Settings) -> None:
    session = ConferenceSession(settings_)
    await session.join(ALIAS)
    snapshot = session.snapshot
    assert snapshot.state in SETTLED, snapshot
    if snapshot.state is S.ERROR:
        # A malformed reply is the node's fault, said as such: never an internal failure.
        assert snapshot.error is not None and snapshot.error.code is not ErrorCode.INTERNAL
    await session.leave()
    assert session.snapshot.state is S.IDLE


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(result=json_values(), status=st.sampled_from([200, 200, 403, 404, 503]))
@example(result=TOKEN_REPLY, status=200)
@example(result={**TOKEN_REPLY, "expires": "soon"}, status=200)
@example(result={k: v for k, v in TOKEN_REPLY.items() if k != "token"}, status=200)
@example(result={"pin": "required", "guest_pin": 7}, status=403)
@example(result={"conference_extension": ["standard"]}, status=403)
def test_any_token_reply_ends_in_a_settled_state(
    node: ScriptedNode, result: Any, status: int
) -> None:
    node.reset()
    node.script(f"/conferences/{ALIAS}/request_token", Reply.result(result, status))
    node.script(f"/conferences/{ALIAS}/release_token", Reply.result(True))
    settings_ = Settings(node=node.url, ca_bundle=node.ca_bundle, display_name="Test room")
    asyncio.run(join_and_leave(settings_))
