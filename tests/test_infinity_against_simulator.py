"""InfinityClient and EventStreamReader against the embedded simulator (real HTTPS, demo rooms)."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from kiosk.infinity.backoff import Backoff
from kiosk.infinity.client import GUEST_PIN, ClientTimeouts, InfinityClient, NodeStatus
from kiosk.infinity.errors import (
    ConferenceNotFound,
    ExtensionRequired,
    InvalidPin,
    InvalidToken,
    PinRequired,
)
from kiosk.infinity.event_stream import EventStreamReader
from kiosk.infinity.models import Event, Role
from kiosk.simulator.background import SimulatorThread

NAME = "Test room"


@pytest.fixture
def client(simulator: SimulatorThread) -> Iterator[InfinityClient]:
    timeouts = ClientTimeouts(connect=2.0, read=5.0, calls_read=20.0)
    with InfinityClient(simulator.url, verify=str(simulator.ca_bundle), timeouts=timeouts) as c:
        yield c


class Stream:
    """An EventStreamReader whose token comes from `self.token`, with everything it reports."""

    def __init__(self, client: InfinityClient, alias: str, token: str) -> None:
        self.token = token
        self.tokens_given: list[str] = []
        self.events: queue.Queue[Event] = queue.Queue()
        self.connected: list[bool] = []
        self.fatal: list[Exception] = []
        self.changed = threading.Condition()
        self.reader = EventStreamReader(
            client, alias, self._token, self.events.put,
            on_connected=self._on_connected, on_fatal=self._on_fatal,
            backoff=Backoff(initial=0.1, maximum=0.5),
        )

    def _token(self) -> str:
        self.tokens_given.append(self.token)
        return self.token

    def _on_connected(self, connected: bool) -> None:
        with self.changed:
            self.connected.append(connected)
            self.changed.notify_all()

    def _on_fatal(self, exc: Exception) -> None:
        with self.changed:
            self.fatal.append(exc)
            self.changed.notify_all()

    def until(self, name: str, timeout: float = 5.0) -> list[Event]:
        """Events received up to and including the next one called `name`."""
        received: list[Event] = []
        deadline = time.monotonic() + timeout
        while not received or received[-1].name != name:
            received.append(self.events.get(timeout=max(0.01, deadline - time.monotonic())))
        return received

    def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout), "condition not reached in time"


def test_status_is_up(client: InfinityClient) -> None:
    assert client.status() is NodeStatus.UP


def test_open_room_join_refresh_release(client: InfinityClient) -> None:
    token = client.request_token("meet.open", NAME)

    assert token.conference_name == "Open meeting"
    assert token.role is Role.HOST
    assert token.expires == 120.0

    refreshed = client.refresh_token("meet.open", token)
    assert refreshed.token != token.token
    assert refreshed.participant_uuid == token.participant_uuid

    client.release_token("meet.open", refreshed.token)
    with pytest.raises(InvalidToken):
        client.refresh_token("meet.open", refreshed)


def test_team_room_host_pin_and_guest(client: InfinityClient) -> None:
    with pytest.raises(PinRequired) as first:
        client.request_token("meet.team", NAME)
    assert first.value.guest_allowed is True
    with pytest.raises(InvalidPin):
        client.request_token("meet.team", NAME, pin="9999")

    guest = client.request_token("meet.team", NAME, pin=GUEST_PIN)
    host = client.request_token("meet.team", NAME, pin=" 1234 ")

    assert guest.role is Role.GUEST
    assert guest.current_service_type == "waiting_room"  # no host was there yet
    assert host.role is Role.HOST
    for token in (guest, host):
        client.release_token("meet.team", token.token)


def test_board_room_needs_a_pin_from_everyone(client: InfinityClient) -> None:
    for pin in (None, ""):
        with pytest.raises(PinRequired) as caught:
            client.request_token("meet.board", NAME, pin=pin)
        assert caught.value.guest_allowed is False

    assert client.request_token("meet.board", NAME, pin="1357").role is Role.GUEST
    assert client.request_token("meet.board", NAME, pin="2468").role is Role.HOST


def test_virtual_reception_to_a_room_with_a_pin(client: InfinityClient) -> None:
    with pytest.raises(ExtensionRequired) as caught:
        client.request_token("reception", NAME)
    assert caught.value.kind == "standard"
    with pytest.raises(PinRequired):
        client.request_token("reception", NAME, conference_extension="1002")
    with pytest.raises(ConferenceNotFound):
        client.request_token("reception", NAME, conference_extension="9999")

    token = client.request_token("reception", NAME, pin="1234", conference_extension="1002")

    assert token.conference_name == "Team meeting"
    assert token.role is Role.HOST


def test_unknown_alias(client: InfinityClient) -> None:
    with pytest.raises(ConferenceNotFound, match="Neither conference nor gateway found"):
        client.request_token("meet.nobody", NAME)


def test_controls_reach_the_roster(client: InfinityClient, simulator: SimulatorThread) -> None:
    token = client.request_token("meet.open", NAME)
    me = token.participant_uuid

    client.mute("meet.open", me, token.token)
    client.video_muted("meet.open", me, token.token)
    client.dtmf("meet.open", me, token.token, "12#")
    room = simulator.control.room("meet.open")
    (mine,) = [p for p in room["participants"] if p["uuid"] == me]
    assert mine["is_muted"] == "YES"
    assert mine["is_video_muted"] is True
    assert [d["digits"] for d in room["dtmf"]] == ["12#"]

    client.unmute("meet.open", me, token.token)
    client.video_unmuted("meet.open", me, token.token)
    (mine,) = [p for p in simulator.control.room("meet.open")["participants"] if p["uuid"] == me]
    assert (mine["is_muted"], mine["is_video_muted"]) == ("NO", False)

    client.disconnect_participant("meet.open", me, token.token)
    assert me not in [p["uuid"] for p in simulator.control.room("meet.open")["participants"]]


async def test_webrtc_call_offer_answer_ack_and_hang_up(
    client: InfinityClient, simulator: SimulatorThread
) -> None:
    token = await asyncio.to_thread(client.request_token, "meet.open", NAME)
    me = token.participant_uuid
    peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        peer.addTransceiver("audio", direction="recvonly")
        peer.addTransceiver("video", direction="recvonly")
        await peer.setLocalDescription(await peer.createOffer())

        answer = await asyncio.to_thread(
            client.calls, "meet.open", me, token.token, peer.localDescription.sdp
        )
        await peer.setRemoteDescription(RTCSessionDescription(answer.sdp, "answer"))
        await asyncio.to_thread(client.ack, "meet.open", me, answer.call_uuid, token.token)

        room = await asyncio.to_thread(simulator.control.room, "meet.open")
        (mine,) = [p for p in room["participants"] if p["uuid"] == me]
        assert [c["call_uuid"] for c in mine["calls"]] == [answer.call_uuid]

        await asyncio.to_thread(
            client.disconnect_call, "meet.open", me, answer.call_uuid, token.token
        )
        await asyncio.to_thread(client.release_token, "meet.open", token.token)
    finally:
        await peer.close()


def test_event_stream_roster_reconnect_and_end(
    client: InfinityClient, simulator: SimulatorThread
) -> None:
    token = client.request_token("meet.open", NAME)
    stream = Stream(client, "meet.open", token.token)
    stream.reader.start()
    try:
        first = stream.until("participant_sync_end")
        assert first[0].name == "participant_sync_begin"
        assert first[0].data is None
        created = [e.data["uuid"] for e in first if e.name == "participant_create"]
        assert token.participant_uuid in created

        # The session refreshes; then the node drops the stream: the reader comes back
        # with the new token and the roster is replayed.
        stream.token = client.refresh_token("meet.open", token).token
        simulator.control.inject_fault("/events", drop_events=True)
        stream.wait(lambda: stream.connected == [True, False, True])
        replay = [e.name for e in stream.until("participant_sync_end")]
        assert "participant_sync_begin" in replay  # after what was left of the first stream
        assert stream.tokens_given == [token.token, stream.token]

        # The host ends the meeting: a `disconnect` event, then the token is gone.
        simulator.control.end_meeting("meet.open", "Conference terminated by a host")
        ending = stream.until("disconnect")
        assert ending[-1].data == {"reason": "Conference terminated by a host"}
        stream.wait(lambda: bool(stream.fatal), timeout=10.0)
        assert isinstance(stream.fatal[0], InvalidToken)
    finally:
        assert stream.reader.stop()


def test_guest_waits_for_the_host_in_the_event_stream(
    client: InfinityClient, simulator: SimulatorThread
) -> None:
    guest = client.request_token("meet.team", NAME, pin="")
    assert guest.current_service_type == "waiting_room"
    stream = Stream(client, "meet.team", guest.token)
    stream.reader.start()
    try:
        roster = stream.until("participant_sync_end")
        (me,) = [e.data for e in roster
                 if e.name == "participant_create" and e.data["uuid"] == guest.participant_uuid]
        assert me["service_type"] == "waiting_room"

        simulator.control.host_joins("meet.team")

        deadline = time.monotonic() + 5.0
        while True:
            event = stream.until("participant_update", timeout=deadline - time.monotonic())[-1]
            if event.data["uuid"] == guest.participant_uuid:
                break
        assert event.data["service_type"] == "conference"
    finally:
        assert stream.reader.stop()
    client.release_token("meet.team", guest.token)


def test_a_token_that_is_not_refreshed_expires(short_token_simulator: SimulatorThread) -> None:
    sim = short_token_simulator
    with InfinityClient(sim.url, verify=str(sim.ca_bundle)) as client:
        token = client.request_token("meet.open", NAME)
        assert token.expires == 2.0
        for _ in range(3):  # refreshed in time (every expires/2): still in
            time.sleep(1.0)
            token = client.refresh_token("meet.open", token)

        time.sleep(3.0)  # not refreshed: the node has let the participant go

        with pytest.raises(InvalidToken):
            client.refresh_token("meet.open", token)
