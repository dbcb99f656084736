"""InfinityClient through a web proxy (HTTPS_PROXY/NO_PROXY), with TLS trust still its own.

The proxy is a small CONNECT tunnel on 127.0.0.1 that sends every tunnel to
127.0.0.1 whatever host name it is asked for, so the node can have a name that
no resolver knows: reaching it at all proves the proxy was used.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from scripted_node import Reply, ScriptedNode

from kiosk.infinity.client import ClientTimeouts, InfinityClient
from kiosk.infinity.errors import NodeUnreachable
from kiosk.infinity.keepalive_adapter import KEEPALIVE_IDLE_SECONDS
from kiosk.log_redaction import RedactingFilter

NODE_NAME = "kiosk-node.example.test"
ALIAS = "meet.board"
CONF = f"/conferences/{ALIAS}"
PIN = "97531"
TOKEN = "TOKEN-through-the-proxy"
TOKEN_REPLY: dict[str, Any] = {
    "token": TOKEN,
    "expires": "120",
    "participant_uuid": "p-1",
    "display_name": "Board room",
    "role": "HOST",
}
TIMEOUTS = ClientTimeouts(connect=2.0, read=5.0, calls_read=5.0)
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY",
                   "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class ConnectProxy:
    """A CONNECT-only proxy on 127.0.0.1:0; tunnels go to 127.0.0.1 on the port asked for.

    `refuse` answers every CONNECT with 403. Records each request head and every
    byte the client sent into the tunnels.
    """

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.heads: list[str] = []
        self.tunnelled = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads: list[threading.Thread] = []
        self.port = self._listener.getsockname()[1]

    def __enter__(self) -> ConnectProxy:
        self._spawn(self._accept_loop)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        # A client that gives up (a TLS failure, a closed test) just ends its tunnel.
        with client, contextlib.suppress(OSError):
            client.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = client.recv(1024)
                if not chunk:
                    return
                head += chunk
            text = head.decode("latin-1")
            with self._lock:
                self.heads.append(text)
            method, target, _ = text.split("\r\n", 1)[0].split(" ", 2)
            if method != "CONNECT" or self.refuse:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            port = int(target.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=5) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._relay(client, upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        while not self._stop.is_set():
            readable, _, _ = select.select(list(peers), [], [], 0.1)
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is client:
                    with self._lock:
                        self.tunnelled.extend(data)
                peers[sock].sendall(data)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Names resolved here (name -> address); NODE_NAME is unknown unless added."""
    known: dict[str, str] = {}
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == NODE_NAME:
            if NODE_NAME not in known:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            host = known[NODE_NAME]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return known


@pytest.fixture(scope="module")
def named_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedNode]:
    with ScriptedNode(tmp_path_factory.mktemp("proxy"), cert_names=(NODE_NAME,)) as node:
        yield node


@pytest.fixture
def node(named_node: ScriptedNode) -> ScriptedNode:
    named_node.reset()
    named_node.script(f"{CONF}/request_token", Reply.result(TOKEN_REPLY))
    return named_node


def node_url(node: ScriptedNode) -> str:
    return f"https://{NODE_NAME}:{node.port}"


def other_ca(tmp_path: Path) -> str:
    path = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


def test_https_proxy_tunnels_to_the_node_with_the_configured_ca(
    node: ScriptedNode, resolver: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    redactor = RedactingFilter()
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://kiosk:proxy-secret@127.0.0.1:{proxy.port}")
        # A CA bundle in the environment must not replace the configured one.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", other_ca(tmp_path))
        with InfinityClient(node_url(node), verify=str(node.ca_bundle), timeouts=TIMEOUTS,
                            on_secret=redactor.add_secret) as client:
            token = client.request_token(ALIAS, "Board room", pin=PIN)

    assert token.token == TOKEN
    (head,) = proxy.heads
    assert head.startswith(f"CONNECT {NODE_NAME}:{node.port} HTTP/")
    assert "Proxy-Authorization: Basic " in head  # the proxy's credentials, to the proxy only
    # The PIN and the token went inside TLS: the proxy saw neither.
    assert proxy.tunnelled
    for secret in (PIN.encode(), TOKEN.encode(), b"request_token"):
        assert secret not in proxy.tunnelled
        assert secret not in head.encode()
    (seen,) = node.seen(f"{CONF}/request_token")
    assert seen.headers["pin"] == PIN
    assert "proxy-authorization" not in seen.headers
    assert redactor.redact("proxy-secret") == "***"


def test_the_configured_ca_still_decides_through_the_proxy(
    node: ScriptedNode, resolver: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    with ConnectProxy() as proxy:
        monkeypatch.setenv("https_proxy", proxy.url)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(node.ca_bundle))
        with InfinityClient(node_url(node), verify=other_ca(tmp_path), timeouts=TIMEOUTS
                            ) as client, pytest.raises(NodeUnreachable) as caught:
            client.request_token(ALIAS, "Board room", pin=PIN)

    assert caught.value.tls is True
    assert caught.value.cause == "the node's certificate is not trusted"
    assert len(proxy.heads) == 1
    assert node.seen() == []


def test_the_event_stream_through_the_proxy_keeps_tcp_keepalive(
    node: ScriptedNode, resolver: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    node.script(f"{CONF}/events", Reply.stream([("participant_sync_begin", "null")],
                                               hold_open=True), method="GET")
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with InfinityClient(node_url(node), verify=str(node.ca_bundle), timeouts=TIMEOUTS
                            ) as client:
            session = client.new_session()
            response = client.open_event_stream(ALIAS, TOKEN, session=session)
            try:
                sock = response.raw.connection.sock
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                if hasattr(socket, "TCP_KEEPIDLE"):
                    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == (
                        KEEPALIVE_IDLE_SECONDS
                    )
            finally:
                response.close()
                session.close()

    assert proxy.heads[0].startswith(f"CONNECT {NODE_NAME}:{node.port} ")


@pytest.mark.parametrize("no_proxy", [NODE_NAME, "intranet.example.com, .example.test", "*"])
def test_no_proxy_goes_direct(
    node: ScriptedNode, resolver: dict[str, str], monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    resolver[NODE_NAME] = "127.0.0.1"
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", no_proxy)
        with InfinityClient(node_url(node), verify=str(node.ca_bundle), timeouts=TIMEOUTS
                            ) as client:
            assert client.request_token(ALIAS, "Board room").token == TOKEN

    assert proxy.heads == []


def test_a_loopback_node_never_uses_the_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConnectProxy() as proxy, ScriptedNode(tmp_path) as node:
        node.script(f"{CONF}/request_token", Reply.result(TOKEN_REPLY))
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("ALL_PROXY", proxy.url)
        with InfinityClient(node.url, verify=str(node.ca_bundle), timeouts=TIMEOUTS
                            ) as client:
            assert client.request_token(ALIAS, "Board room").token == TOKEN

    assert proxy.heads == []


def test_a_proxy_that_refuses_the_tunnel(
    node: ScriptedNode, resolver: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConnectProxy(refuse=True) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with InfinityClient(node_url(node), verify=str(node.ca_bundle), timeouts=TIMEOUTS
                            ) as client, pytest.raises(NodeUnreachable) as caught:
            client.request_token(ALIAS, "Board room", pin=PIN)

    assert caught.value.cause == (
        f"the web proxy refused the connection to {NODE_NAME}:{node.port} (403 Forbidden)"
    )
    assert caught.value.tls is False
    assert node.seen() == []


def test_a_proxy_that_is_not_there(
    node: ScriptedNode, resolver: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:proxy-secret@127.0.0.1:{port}")
    with InfinityClient(node_url(node), verify=str(node.ca_bundle), timeouts=TIMEOUTS
                        ) as client, pytest.raises(NodeUnreachable) as caught:
        client.status()

    assert caught.value.cause == "the web proxy (HTTPS_PROXY) could not be reached"
    assert "proxy-secret" not in str(caught.value)
    assert node.seen() == []


def test_a_proxy_address_without_a_host(
    node: ScriptedNode, resolver: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://:3128")
    with InfinityClient(node_url(node), verify=str(node.ca_bundle), timeouts=TIMEOUTS
                        ) as client, pytest.raises(NodeUnreachable) as caught:
        client.status()

    assert caught.value.cause == "the web proxy address (HTTPS_PROXY) is not a valid URL"
    assert node.seen() == []
