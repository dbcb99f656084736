"""Fault injection through `/_sim/faults`: failing, delaying, cutting event streams."""

from __future__ import annotations

import time

import pytest
from simulator_test_client import NodeApi

pytestmark = pytest.mark.timeout(60)


def test_next_n_matching_requests_fail_with_the_status(sim_api: NodeApi) -> None:
    armed = sim_api.sim.control.inject_fault("request_token", status=503, count=2)
    assert armed["fault"]["remaining"] == 2
    for _ in range(2):
        response = sim_api.request_token("meet.open")
        assert response.status_code == 503
        assert response.json() == {"status": "failed", "result": "Injected fault"}
    assert sim_api.request_token("meet.open").status_code == 200


def test_only_matching_paths_fail(sim_api: NodeApi) -> None:
    me = sim_api.join("meet.open")
    sim_api.sim.control.inject_fault("refresh_token", status=502)
    # Other paths are untouched and the control API is never faulted.
    assert sim_api.call("meet.open", f"participants/{me['participant_uuid']}/mute", me["token"]).ok
    assert sim_api.sim.control.room("meet.open")["participant_count"] == 1
    assert sim_api.call("meet.open", "refresh_token", me["token"]).status_code == 502
    assert sim_api.call("meet.open", "refresh_token", me["token"]).status_code == 200


def test_fault_body_may_be_non_json(sim_api: NodeApi) -> None:
    sim_api.sim.control.inject_fault("request_token", status=404, body="<html>not a node</html>")
    response = sim_api.request_token("meet.open")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "<html>not a node</html>"


def test_fault_body_may_be_custom_json(sim_api: NodeApi) -> None:
    sim_api.sim.control.inject_fault(
        "request_token", status=403, body={"status": "success", "result": "Nope"}
    )
    response = sim_api.request_token("meet.open")
    assert response.status_code == 403 and response.json()["result"] == "Nope"


def test_delay_slows_the_reply_and_then_serves_it(sim_api: NodeApi) -> None:
    sim_api.sim.control.inject_fault("request_token", delay=0.6)
    started = time.monotonic()
    assert sim_api.request_token("meet.open").status_code == 200
    assert time.monotonic() - started >= 0.6
    # The fault was used up: nothing is armed any more.
    armed = sim_api.http.get(sim_api.sim.url + "/_sim/faults", verify=sim_api.verify, timeout=5)
    assert armed.json()["result"] == []
    assert sim_api.request_token("meet.open").status_code == 200


def test_clear_faults_disarms_everything(sim_api: NodeApi) -> None:
    sim_api.sim.control.inject_fault("request_token", status=500, count=5)
    sim_api.sim.control.clear_faults()
    assert sim_api.request_token("meet.open").status_code == 200


def test_drop_events_cuts_open_streams_and_a_reconnect_gets_the_roster_again(
    sim_api: NodeApi,
) -> None:
    me = sim_api.join("meet.open")
    reader = sim_api.events("meet.open", me["token"])
    try:
        reader.sync()
        result = sim_api.sim.control.inject_fault("/events", drop_events=True)
        assert result["dropped_streams"] == 1 and result["fault"] is None
        assert reader.ended.wait(3), "the stream should be cut"
    finally:
        reader.close()
    again = sim_api.events("meet.open", me["token"])
    try:
        assert [e.name for e in again.sync()][0] == "participant_sync_begin"
    finally:
        again.close()


def test_event_stream_refused_while_a_fault_is_armed(sim_api: NodeApi) -> None:
    me = sim_api.join("meet.open")
    sim_api.sim.control.inject_fault("/events", status=503, count=1)
    refused = sim_api.events("meet.open", me["token"])
    assert refused.status_code == 503
    reader = sim_api.events("meet.open", me["token"])
    try:
        assert reader.status_code == 200
    finally:
        reader.close()


@pytest.mark.parametrize(
    "body",
    [
        {"path_contains": "x"},
        {"path_contains": "x", "status": 42},
        {"path_contains": "x", "status": 500, "count": 0},
        {"path_contains": "x", "delay": -1},
        {"path_contains": 5, "status": 500},
        {"path_contains": "x", "drop_events": "yes"},
    ],
)
def test_invalid_fault_requests_are_400(sim_api: NodeApi, body: dict) -> None:
    response = sim_api.http.post(
        sim_api.sim.url + "/_sim/faults", json=body, verify=sim_api.verify, timeout=5
    )
    assert response.status_code == 400
    assert response.json()["status"] == "failed"


def test_unknown_room_in_control_api_is_404(sim_api: NodeApi) -> None:
    response = sim_api.http.get(
        sim_api.sim.url + "/_sim/rooms/nowhere", verify=sim_api.verify, timeout=5
    )
    assert response.status_code == 404
    with pytest.raises(RuntimeError, match="404"):
        sim_api.sim.control.host_joins("nowhere")
