"""InfinityClient when the network or node misbehaves: unreachable, slow, untrusted, malformed."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scripted_node import Reply, ScriptedNode

from kiosk.infinity.client import ClientTimeouts, InfinityClient
from kiosk.infinity.errors import InfinityError, NodeUnreachable, ProtocolError
from kiosk.infinity.models import Token

ALIAS = "meet.open"
CONF = f"/conferences/{ALIAS}"
PIN = "97531"
TOKEN_REPLY: dict[str, Any] = {
    "token": "TOKEN-abc",
    "expires": "120",
    "participant_uuid": "p-1",
    "display_name": "Board room",
    "role": "GUEST",
    "service_type": "conference",
    "current_service_type": "conference",
    "conference_name": "Open meeting",
}
FAST = ClientTimeouts(connect=0.5, read=0.5, calls_read=0.5)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedNode]:
    with ScriptedNode(tmp_path_factory.mktemp("network")) as scripted:
        yield scripted


@pytest.fixture(scope="module")
def module_client(node: ScriptedNode) -> Iterator[InfinityClient]:
    with InfinityClient(node.url, verify=str(node.ca_bundle), timeouts=FAST) as infinity:
        yield infinity


def a_closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused(tmp_path: Path) -> None:
    port = a_closed_port()
    with InfinityClient(f"https://127.0.0.1:{port}", timeouts=FAST) as client, pytest.raises(
        NodeUnreachable
    ) as caught:
        client.request_token(ALIAS, "Board room", pin=PIN)

    assert "refused" in caught.value.cause
    assert f"127.0.0.1:{port}" in caught.value.cause
    assert caught.value.tls is False
    assert PIN not in str(caught.value)


def test_connect_timeout() -> None:
    # A listening socket whose accept queue is full: new connections are never accepted.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.settimeout(0.2)
            with contextlib.suppress(OSError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        try:
            with InfinityClient(f"http://127.0.0.1:{port}", timeouts=FAST) as client:
                started = time.monotonic()
                with pytest.raises(NodeUnreachable) as caught:
                    client.status()
                elapsed = time.monotonic() - started
        finally:
            for filler in fillers:
                filler.close()

    assert "timeout" in caught.value.cause
    assert elapsed < 3.0


def test_read_timeout(node: ScriptedNode, module_client: InfinityClient) -> None:
    node.reset()
    node.script(f"{CONF}/request_token", Reply.result(TOKEN_REPLY, delay=3.0))

    started = time.monotonic()
    with pytest.raises(NodeUnreachable) as caught:
        module_client.request_token(ALIAS, "Board room")

    assert "did not reply within 0.5 s" in caught.value.cause
    assert time.monotonic() - started < 2.5


def test_untrusted_certificate_is_a_tls_failure(node: ScriptedNode, tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    node.reset()
    node.script(f"{CONF}/request_token", Reply.result(TOKEN_REPLY))

    for verify in (str(other_ca), True):
        with InfinityClient(node.url, verify=verify, timeouts=FAST) as client, pytest.raises(
            NodeUnreachable
        ) as caught:
            client.request_token(ALIAS, "Board room", pin=PIN)
        assert caught.value.tls is True
        assert caught.value.cause == "the node's certificate is not trusted"
    assert node.seen() == []  # nothing (no PIN) was sent over the untrusted connection


def test_certificate_for_another_name(tmp_path: Path) -> None:
    with ScriptedNode(tmp_path, cert_names=("localhost",)) as named, InfinityClient(
        named.url, verify=str(named.ca_bundle), timeouts=FAST
    ) as client, pytest.raises(NodeUnreachable) as caught:
        client.status()

    assert caught.value.tls is True
    assert caught.value.cause == "the node's certificate does not match its address"


def test_unknown_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # No DNS server may be asked here: the resolver's answer for this one name is simulated.
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "node.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with InfinityClient("https://node.example.invalid", timeouts=FAST) as client, pytest.raises(
        NodeUnreachable
    ) as caught:
        client.status()

    assert caught.value.cause == "the name node.example.invalid could not be found (DNS)"


def test_plain_http_node_on_loopback(tmp_path: Path) -> None:
    with ScriptedNode(tmp_path, tls=False) as plain:
        plain.script(f"{CONF}/request_token", Reply.result(TOKEN_REPLY))
        with InfinityClient(plain.url, timeouts=FAST) as client:
            assert client.request_token(ALIAS, "Board room").token == "TOKEN-abc"


# ---- malformed replies --------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=16,
)
tricky_values = json_values | st.sampled_from(["120", "-1", "0", "inf", "nan", "1e400", ""])
# A valid token / call reply with some fields replaced: reaches the deeper parsing paths.
mutated_replies = st.dictionaries(
    st.sampled_from([
        "token", "expires", "participant_uuid", "role", "stun", "turn", "version",
        "bandwidth_in", "bandwidth_out", "use_relay_candidates_only", "call_uuid", "sdp",
    ]),
    tricky_values,
    max_size=3,
).map(lambda overrides: {**TOKEN_REPLY, "call_uuid": "c-1", "sdp": "v=0", **overrides})
results = json_values | mutated_replies


def _only_typed_errors(call: Any) -> None:
    """Run the call: success or a typed error pass; anything else fails the test."""
    try:
        call()
    except InfinityError as exc:
        assert "TOKEN-abc" not in str(exc)
        assert PIN not in str(exc)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(result=results, status=st.sampled_from([200, 200, 200, 403, 404, 415, 500, 503]))
@example(result={**TOKEN_REPLY, "bandwidth_in": "inf"}, status=200)
@example(result={**TOKEN_REPLY, "expires": "nan"}, status=200)
@example(result={**TOKEN_REPLY, "expires": float("inf")}, status=200)
@example(result={**TOKEN_REPLY, "stun": "stun:x"}, status=200)
def test_arbitrary_json_result_only_raises_typed_errors(
    node: ScriptedNode, module_client: InfinityClient, result: Any, status: int
) -> None:
    node.reset()
    reply = Reply.result(result, status)
    for path in ("/request_token", "/refresh_token", "/participants/p-1/calls",
                 "/participants/p-1/calls/c-1/update"):
        node.script(CONF + path, reply)
    token = Token.parse(TOKEN_REPLY)

    _only_typed_errors(lambda: module_client.request_token(ALIAS, "Board room", pin=PIN))
    _only_typed_errors(lambda: module_client.refresh_token(ALIAS, token))
    _only_typed_errors(lambda: module_client.calls(ALIAS, "p-1", "TOKEN-abc", "v=0"))
    _only_typed_errors(lambda: module_client.update(ALIAS, "p-1", "c-1", "TOKEN-abc", "v=0"))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=64) | st.text(max_size=40).map(str.encode),
       status=st.sampled_from([200, 403, 404, 502]))
def test_arbitrary_bodies_only_raise_typed_errors(
    node: ScriptedNode, module_client: InfinityClient, body: bytes, status: int
) -> None:
    node.reset()
    node.script(f"{CONF}/request_token", Reply(status=status, raw_body=body))

    _only_typed_errors(lambda: module_client.request_token(ALIAS, "Board room"))


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(status=200, raw_body=b"<html>hello</html>"), "not JSON"),
        (Reply(status=200, json_body=[1, 2]), "not a JSON object"),
        (Reply(status=200, json_body={"status": "success"}), "no 'result'"),
        (Reply.result({**TOKEN_REPLY, "token": None}), "'token' is missing"),
        (Reply.result({k: v for k, v in TOKEN_REPLY.items() if k != "token"}),
         "'token' is missing"),
        (Reply.result({**TOKEN_REPLY, "token": ["x"]}), "'token' is not a string"),
        (Reply.result({**TOKEN_REPLY, "token": "two words"}), "not allowed in a header"),
        (Reply.result({**TOKEN_REPLY, "expires": "1e400"}), "'expires'"),
        (Reply.result({**TOKEN_REPLY, "expires": "soon"}), "'expires' is not a number"),
        (Reply.result("a string"), "expected an object"),
    ],
)
def test_malformed_token_reply_is_a_clear_protocol_error(
    node: ScriptedNode, module_client: InfinityClient, reply: Reply, message: str
) -> None:
    node.reset()
    node.script(f"{CONF}/request_token", reply)

    with pytest.raises(ProtocolError, match=message) as caught:
        module_client.request_token(ALIAS, "Board room", pin=PIN)

    assert caught.value.args[0].startswith("request_token")
    assert PIN not in str(caught.value)
