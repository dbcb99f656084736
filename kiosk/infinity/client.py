"""Blocking client of the Pexip Infinity Client REST API v2 (`requests.Session` based).

Stateless about the token: every authenticated call takes the token string, so
the caller can swap in a refreshed token at any time. Every exchange has a
connect and a read timeout, a total deadline (connect + read: a node that
trickles its reply a byte at a time is cut off) and a size limit on the reply
(`kiosk.net.bounded_request`); the event stream's reply headers have the same
deadline. Every failure is one of the typed errors of
`kiosk.infinity.errors`; argument mistakes by the caller (an empty alias, DTMF
outside `0-9 * # A-D`) are `ValueError`. No PIN or token ever reaches a log
line or an error text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

from kiosk import __version__
from kiosk.infinity.connection_failure import describe_connection_failure
from kiosk.infinity.errors import (
    InfinityError,
    NodeUnreachable,
    NotAPexipNode,
    ProtocolError,
    Refused,
    ServiceUnavailable,
)
from kiosk.infinity.keepalive_adapter import KeepaliveAdapter
from kiosk.infinity.models import CallAnswer, Token
from kiosk.infinity.proxy_environment import proxies_for, proxy_passwords
from kiosk.infinity.reply_parser import (
    GUEST_PIN,
    UNAVAILABLE_STATUSES,
    NodeReply,
    decode_json,
    reply_result,
    retry_after_seconds,
)
from kiosk.infinity.view_models import parse_available_layouts, parse_layout_svgs
from kiosk.net import (
    BodyTooLarge,
    DeadlineAdapter,
    DeadlineExceeded,
    HttpLimits,
    bounded_request,
)

__all__ = ("GUEST_PIN", "ClientTimeouts", "InfinityClient", "NodeStatus")

log = logging.getLogger(__name__)

API_PATH = "/api/client/v2"
DTMF_CHARACTERS = frozenset("0123456789*#ABCD")
# Visible ASCII: what may go into an HTTP header value without being mangled or refused.
HEADER_SAFE = frozenset(string.printable) - frozenset(string.whitespace)
MAX_ERROR_BODY = 64 * 1024
# The largest reply read: SDP answers are ~10 KB, layout SVGs some 100 KB.
MAX_REPLY_BYTES = 1024 * 1024
MAX_PRESENTATION_JPEG = 16 * 1024 * 1024
MAX_THEME_IMAGE = 8 * 1024 * 1024
CONFERENCE_COMMANDS = frozenset({
    "lock", "unlock", "muteguests", "unmuteguests", "start_conference", "clearallbuzz",
    "breakoutbuzz",
})
PARTICIPANT_COMMANDS = frozenset({"unlock", "mute", "unmute", "disconnect", "buzz", "clearbuzz"})

T = TypeVar("T")


@dataclass(frozen=True)
class ClientTimeouts:
    """Seconds to wait: to connect, for a reply, and for the slow `calls` reply.

    A whole exchange (connect, headers, body) must end within connect + read
    seconds (connect + calls_read for `calls` and `update`).
    """

    connect: float = 5.0
    read: float = 10.0
    calls_read: float = 60.0

    def limits(self, read: float | None = None) -> HttpLimits:
        """The `HttpLimits` of one exchange whose reply may take `read` seconds."""
        read = self.read if read is None else read
        return HttpLimits(deadline=self.connect + read, max_body=MAX_REPLY_BYTES,
                          connect=self.connect, read=read)


DEFAULT_TIMEOUTS = ClientTimeouts()


class NodeStatus(Enum):
    """What `GET /status` says about the node."""

    UP = "up"
    MAINTENANCE = "maintenance"


def _header_safe(value: str) -> bool:
    return bool(value) and all(ch in HEADER_SAFE for ch in value)


def _parsed(parse: Callable[[], T], what: str) -> T:
    """Run a model parser; anything but a typed error becomes a ProtocolError."""
    try:
        return parse()
    except InfinityError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError) as exc:
        raise ProtocolError(f"{what}: malformed reply ({type(exc).__name__})") from None


def _checked_token(token: Token, what: str) -> Token:
    if not _header_safe(token.token):
        raise ProtocolError(f"{what}: the token contains characters not allowed in a header")
    if not math.isfinite(token.expires):
        raise ProtocolError(f"{what}: 'expires' is not a finite number")
    return token


def normalize_pin(pin: str) -> str:
    """The `pin` header value for what was typed: whitespace stripped, empty = guest (`none`)."""
    stripped = pin.strip()
    if not stripped:
        return GUEST_PIN
    if not _header_safe(stripped):
        raise ValueError("The PIN contains characters that cannot be sent")
    return stripped


def validate_dtmf(digits: str) -> str:
    """The DTMF string to send (a-d upper-cased); `ValueError` unless only 0-9 * # A B C D."""
    normalized = digits.strip().upper()
    if not normalized or not set(normalized) <= DTMF_CHARACTERS:
        raise ValueError("DTMF may only contain the characters 0-9 * # A B C D")
    return normalized


class InfinityClient:
    """The calls a kiosk makes to one Pexip Conferencing Node.

    `verify`: True (the public CAs `requests` trusts, from certifi), False (no
    verification: avoid), or a CA bundle path. `on_secret` (e.g.
    `RedactingFilter.add_secret`) is called with every PIN before it is sent and
    every token as soon as it is received, so that log redaction knows them
    before anything could log them. A web proxy named by `HTTPS_PROXY`/`NO_PROXY`
    in the environment when the client is made is used (see `proxy_environment`).
    """

    def __init__(
        self,
        node_url: str,
        verify: bool | str | os.PathLike[str] = True,
        timeouts: ClientTimeouts = DEFAULT_TIMEOUTS,
        on_secret: Callable[[str], None] | None = None,
    ) -> None:
        parts = urlsplit(node_url.strip())
        # The address is not quoted in errors: a pasted meeting link may carry `?pin=`.
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the node address is not an http(s) URL with a host name")
        self._host = parts.hostname
        try:
            self._port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValueError("the node address has an invalid port") from None
        self._base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{API_PATH}"
        self._verify: bool | str = verify if isinstance(verify, bool) else os.fspath(verify)
        self._timeouts = timeouts
        self._on_secret = on_secret
        self._proxies = proxies_for(self._base)
        for password in proxy_passwords(self._proxies):
            self._remember(password)
        if self._proxies:
            log.info("The node is reached through the web proxy named in the environment")
        self._session = self.new_session()

    # ---- plumbing -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`{node}/api/client/v2`."""
        return self._base

    @property
    def timeouts(self) -> ClientTimeouts:
        """The timeouts in use."""
        return self._timeouts

    def new_session(self) -> requests.Session:
        """A `requests.Session` set up like the client's own (TLS verification, keepalive).

        The event stream reads on its own session so that closing it (to stop a
        blocked read) never touches the connections of other calls.
        """
        session = requests.Session()
        session.verify = self._verify
        # Settings decide TLS trust: no REQUESTS_CA_BUNDLE (it would silently replace the
        # configured CA bundle) and no .netrc. The proxy variables are applied explicitly.
        session.trust_env = False
        session.proxies.update(self._proxies)
        adapter = KeepaliveAdapter(max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers["User-Agent"] = f"pexip-room-kiosk/{__version__}"
        session.headers["Accept"] = "application/json"
        return session

    def close(self) -> None:
        """Close the connection pool; the client must not be used afterwards."""
        self._session.close()

    def __enter__(self) -> InfinityClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _remember(self, secret: str | None) -> None:
        if secret and secret != GUEST_PIN and self._on_secret is not None:
            self._on_secret(secret)

    def _unreachable(self, exc: requests.RequestException, limits: HttpLimits
                     ) -> NodeUnreachable:
        """The NodeUnreachable for a failed request, naming the timeout that hit."""
        if isinstance(exc, DeadlineExceeded):
            timeout = limits.deadline
        elif isinstance(exc, requests.exceptions.ReadTimeout):
            timeout = limits.read
        else:
            timeout = limits.connect
        return describe_connection_failure(exc, self._host, self._port, timeout)

    def _send(
        self,
        method: str,
        path: str,
        token: str | None = None,
        pin: str | None = None,
        body: Mapping[str, Any] | None = None,
        read_timeout: float | None = None,
    ) -> NodeReply:
        """One request; network failures become NodeUnreachable. Never follows redirects."""
        headers: dict[str, str] = {}
        if token is not None:
            if not _header_safe(token):
                raise ValueError("the token contains characters not allowed in a header")
            headers["token"] = token
        if pin is not None:
            headers["pin"] = pin
        data: bytes | None = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        limits = self._timeouts.limits(read_timeout)
        try:
            response = bounded_request(
                self._session, method, self._base + path, limits,
                headers=headers, data=data, allow_redirects=False,
            )
        except BodyTooLarge:
            log.info("%s %s: the reply is over %d bytes", method, path, limits.max_body)
            raise ProtocolError(f"the node's reply is larger than {limits.max_body} bytes"
                                ) from None
        except requests.RequestException as exc:
            failure = self._unreachable(exc, limits)
            log.info("%s %s: %s", method, path, failure.cause)
            raise failure from exc
        log.debug("%s %s -> HTTP %d", method, path, response.status)
        return NodeReply(
            status=response.status,
            body=response.body,
            retry_after=response.headers.get("Retry-After"),
        )

    def _call(
        self,
        method: str,
        path: str,
        what: str,
        token: str | None = None,
        pin: str | None = None,
        body: Mapping[str, Any] | None = None,
        read_timeout: float | None = None,
        secret: str | None = None,
    ) -> Any:
        reply = self._send(method, path, token, pin, body, read_timeout)
        return reply_result(reply, what, pin_sent=pin, secrets=(pin, token, secret))

    def _control(self, path: str, what: str, token: str, body: Mapping[str, Any] | None = None
                 ) -> None:
        """A POST whose `result` is `true`; an explicit `false` is a refusal."""
        result = self._call("POST", path, what, token=token, body=body)
        if result is False:
            raise Refused(f"The node declined {what}", 200)

    @staticmethod
    def _conference(alias: str, breakout: str | None = None) -> str:
        """The conference's path; with `breakout`, the path of that breakout room in it."""
        if not alias or not alias.strip():
            raise ValueError("the conference alias is empty")
        path = f"/conferences/{quote(alias.strip(), safe='')}"
        if breakout:
            path += f"/breakouts/{quote(breakout, safe='')}"
        return path

    def _participant(self, alias: str, participant_uuid: str, breakout: str | None = None) -> str:
        if not participant_uuid:
            raise ValueError("the participant uuid is empty")
        return (f"{self._conference(alias, breakout)}/participants/"
                f"{quote(participant_uuid, safe='')}")

    def _call_path(self, alias: str, participant_uuid: str, call_uuid: str,
                   breakout: str | None = None) -> str:
        if not call_uuid:
            raise ValueError("the call uuid is empty")
        return (f"{self._participant(alias, participant_uuid, breakout)}/calls/"
                f"{quote(call_uuid, safe='')}")

    # ---- node -----------------------------------------------------------------------------

    def status(self) -> NodeStatus:
        """`GET /status`: UP (200) or MAINTENANCE (503 from a node); else a typed error."""
        reply = self._send("GET", "/status")
        is_json, _ = decode_json(reply.body)
        if reply.status == 200 and is_json:
            return NodeStatus.UP
        if reply.status == 503 and is_json:
            return NodeStatus.MAINTENANCE
        if reply.status in UNAVAILABLE_STATUSES:
            raise ServiceUnavailable(
                f"The node is temporarily unavailable (HTTP {reply.status})",
                retry_after_seconds(reply.retry_after), status=reply.status,
            )
        raise NotAPexipNode(
            f"The address answered, but not like a Pexip Conferencing Node (HTTP {reply.status})"
        )

    # ---- token ----------------------------------------------------------------------------

    def request_token(
        self,
        alias: str,
        display_name: str,
        pin: str | None = None,
        conference_extension: str | None = None,
        one_time_token: str | None = None,
        breakout_capable: bool = False,
    ) -> Token:
        """Join: `pin=None` sends no pin header (first try); `""` or `GUEST_PIN` joins as guest.

        `one_time_token` is the token of a `refer` (a transfer into this meeting);
        `breakout_capable` tells the node this room follows its host into breakout rooms.
        Raises PinRequired, InvalidPin, ExtensionRequired, SsoRequired,
        ConferenceNotFound, ... as the node answers.
        """
        path = f"{self._conference(alias)}/request_token"
        pin_header = None if pin is None else normalize_pin(pin)
        self._remember(pin_header)
        body: dict[str, Any] = {"display_name": display_name}
        if conference_extension is not None and conference_extension.strip():
            body["conference_extension"] = conference_extension.strip()
        if one_time_token:
            self._remember(one_time_token)
            body["token"] = one_time_token
        if breakout_capable:
            # The doc's name and the v20 schema's name for the same capability.
            body["breakout_capable"] = True
            body["breakout_rooms"] = True
        result = self._call("POST", path, "request_token", pin=pin_header, body=body,
                            secret=one_time_token)
        token = _parsed(lambda: Token.parse(result), "request_token")
        self._remember(token.token)
        return _checked_token(token, "request_token")

    def refresh_token(self, alias: str, token: Token) -> Token:
        """A copy of `token` with the new token string and expiry from the node."""
        path = f"{self._conference(alias)}/refresh_token"
        result = self._call("POST", path, "refresh_token", token=token.token)
        refreshed = _parsed(lambda: token.refreshed(result), "refresh_token")
        self._remember(refreshed.token)
        return _checked_token(refreshed, "refresh_token")

    def release_token(self, alias: str, token: str, reason: str | None = None) -> None:
        """Leave: the token (and the participant) ends."""
        body = {"reason": reason} if reason else None
        self._control(f"{self._conference(alias)}/release_token", "release_token", token, body)

    # ---- media call -----------------------------------------------------------------------

    def calls(self, alias: str, participant_uuid: str, token: str, sdp: str,
              present: str | None = None, breakout: str | None = None) -> CallAnswer:
        """Start the WebRTC call with an SDP offer; the node's answer (slow: long timeout).

        `present="main"` asks the node to put presentations into the main video. With
        `breakout`, the call is made in that breakout room of the conference."""
        path = f"{self._participant(alias, participant_uuid, breakout)}/calls"
        body = {"call_type": "WEBRTC", "sdp": sdp}
        if present:
            body["present"] = present
        result = self._call(
            "POST", path, "calls", token=token, body=body,
            read_timeout=self._timeouts.calls_read,
        )
        return _parsed(lambda: CallAnswer.parse(result), "calls")

    def ack(
        self, alias: str, participant_uuid: str, call_uuid: str, token: str,
        sdp: str | None = None, breakout: str | None = None,
    ) -> None:
        """Ack the call (media starts); with `sdp`, the answer to a server-initiated offer."""
        path = f"{self._call_path(alias, participant_uuid, call_uuid, breakout)}/ack"
        self._control(path, "ack", token, {"sdp": sdp} if sdp is not None else None)

    def update(
        self, alias: str, participant_uuid: str, call_uuid: str, token: str, sdp: str
    ) -> CallAnswer:
        """Renegotiate with a new offer; accepts both answer shapes (bare SDP or object)."""
        path = f"{self._call_path(alias, participant_uuid, call_uuid)}/update"
        result = self._call(
            "POST", path, "update", token=token, body={"sdp": sdp},
            read_timeout=self._timeouts.calls_read,
        )
        return _parsed(lambda: CallAnswer.parse(result, call_uuid=call_uuid), "update")

    def disconnect_call(self, alias: str, participant_uuid: str, call_uuid: str, token: str,
                        breakout: str | None = None) -> None:
        """Hang up the media call (the participant stays until release_token)."""
        path = f"{self._call_path(alias, participant_uuid, call_uuid, breakout)}/disconnect"
        self._control(path, "disconnect_call", token)

    # ---- controls -------------------------------------------------------------------------

    def dtmf(
        self, alias: str, participant_uuid: str, token: str, digits: str,
        call_uuid: str | None = None, breakout: str | None = None,
    ) -> None:
        """Send DTMF (`0-9 * # A B C D`), on the call when `call_uuid` is given."""
        normalized = validate_dtmf(digits)
        base = (
            self._call_path(alias, participant_uuid, call_uuid, breakout)
            if call_uuid is not None
            else self._participant(alias, participant_uuid, breakout)
        )
        self._control(f"{base}/dtmf", "dtmf", token, {"digits": normalized})

    def mute(self, alias: str, participant_uuid: str, token: str,
             breakout: str | None = None) -> None:
        """Mute the participant's microphone (as the node sees it)."""
        self._control(f"{self._participant(alias, participant_uuid, breakout)}/mute", "mute",
                      token)

    def unmute(self, alias: str, participant_uuid: str, token: str,
             breakout: str | None = None) -> None:
        """Unmute the participant's microphone."""
        self._control(f"{self._participant(alias, participant_uuid, breakout)}/unmute", "unmute",
                      token)

    def video_muted(self, alias: str, participant_uuid: str, token: str,
                    breakout: str | None = None) -> None:
        """Tell the node the camera is off."""
        path = f"{self._participant(alias, participant_uuid, breakout)}/video_muted"
        self._control(path, "video_muted", token)

    def video_unmuted(self, alias: str, participant_uuid: str, token: str,
                    breakout: str | None = None) -> None:
        """Tell the node the camera is on again."""
        path = f"{self._participant(alias, participant_uuid, breakout)}/video_unmuted"
        self._control(path, "video_unmuted", token)

    def disconnect_participant(self, alias: str, participant_uuid: str, token: str) -> None:
        """Remove the participant (oneself) from the conference."""
        path = f"{self._participant(alias, participant_uuid)}/disconnect"
        self._control(path, "disconnect_participant", token)

    # ---- presentation, layouts, live captions ---------------------------------------------

    def presentation_jpeg(self, alias: str, token: str, frame_id: str, high: bool = True
                          ) -> bytes:
        """The presentation image of `frame_id` (a `presentation_frame` event's id).

        `presentation_high.jpeg`, or the smaller `presentation.jpeg` (`high=False`, for a
        receive budget of at most 384 kbit/s). The bytes are checked to be a JPEG.
        """
        if not frame_id.isdigit():
            raise ValueError("a presentation frame id is a number")
        name = "presentation_high.jpeg" if high else "presentation.jpeg"
        path = f"{self._conference(alias)}/{name}?id={frame_id}"
        reply = self._send("GET", path, token=token)
        if reply.status == 200 and reply.body[:2] == b"\xff\xd8":
            if len(reply.body) > MAX_PRESENTATION_JPEG:
                raise ProtocolError("presentation image: larger than a presentation can be")
            return reply.body
        if reply.status == 200:
            raise ProtocolError("presentation image: the reply is not a JPEG")
        reply_result(reply, "presentation image", secrets=(token,))
        raise ProtocolError(f"presentation image: unexpected HTTP {reply.status}")

    def available_layouts(self, alias: str, token: str) -> tuple[str, ...]:
        """The layout ids a host may choose (`GET available_layouts`)."""
        result = self._call("GET", f"{self._conference(alias)}/available_layouts",
                            "available_layouts", token=token)
        return _parsed(lambda: parse_available_layouts(result), "available_layouts")

    def layout_svgs(self, alias: str, token: str) -> dict[str, str]:
        """The node's own thumbnails: layout id -> SVG text (`GET layout_svgs`)."""
        result = self._call("GET", f"{self._conference(alias)}/layout_svgs", "layout_svgs",
                            token=token)
        return _parsed(lambda: parse_layout_svgs(result), "layout_svgs")

    def transform_layout(self, alias: str, token: str, layout: str) -> None:
        """Show the meeting in `layout` (hosts): `POST transform_layout {transforms: {layout}}`."""
        if not layout.strip():
            raise ValueError("the layout id is empty")
        self._control(f"{self._conference(alias)}/transform_layout", "transform_layout", token,
                      {"transforms": {"layout": layout.strip()}})

    def set_live_captions(self, alias: str, participant_uuid: str, token: str, shown: bool
                          ) -> None:
        """Start (`show_live_captions`) or stop (`hide_live_captions`) the room's captions."""
        action = "show_live_captions" if shown else "hide_live_captions"
        self._control(f"{self._participant(alias, participant_uuid)}/{action}", action, token)

    # ---- host controls, hands, breakouts, theme ----------------------------------------------

    def conference_command(self, alias: str, command: str, token: str,
                           breakout: str | None = None) -> None:
        """A POST on the conference with no body: `lock`, `unlock`, `muteguests`,
        `unmuteguests`, `start_conference`, `clearallbuzz`, `breakoutbuzz`, ..."""
        if command not in CONFERENCE_COMMANDS:
            raise ValueError("unknown conference command")
        self._control(f"{self._conference(alias, breakout)}/{command}", command, token)

    def participant_command(self, alias: str, participant_uuid: str, command: str, token: str,
                            breakout: str | None = None) -> None:
        """A POST on one participant with no body: `unlock` (admit), `mute`, `unmute`,
        `disconnect` (remove), `buzz` / `clearbuzz` (raise / lower the hand)."""
        if command not in PARTICIPANT_COMMANDS:
            raise ValueError("unknown participant command")
        path = f"{self._participant(alias, participant_uuid, breakout)}/{command}"
        self._control(path, command, token)

    def theme(self, alias: str, token: str) -> Mapping[str, Any]:
        """`GET theme/`: the node's splash screens, screen key -> {background, elements}."""
        result = self._call("GET", f"{self._conference(alias)}/theme/", "theme", token=token)
        if not isinstance(result, Mapping):
            raise ProtocolError("theme: the reply is not an object")
        return result

    def theme_image(self, alias: str, path: str, token: str) -> bytes:
        """A theme image (`theme/<path>`), at most MAX_THEME_IMAGE bytes."""
        clean = path.strip().lstrip("/")
        if not clean or ".." in clean.split("/"):
            raise ValueError("the theme image path is not a plain relative path")
        url_path = f"{self._conference(alias)}/theme/{quote(clean, safe='/')}"
        reply = self._send("GET", url_path, token=token)
        if reply.status != 200:
            reply_result(reply, "theme image", secrets=(token,))
            raise ProtocolError(f"theme image: unexpected HTTP {reply.status}")
        if len(reply.body) > MAX_THEME_IMAGE:
            raise ProtocolError("theme image: too large")
        return reply.body

    # ---- event stream ---------------------------------------------------------------------

    def open_event_stream(
        self, alias: str, token: str, session: requests.Session | None = None
    ) -> requests.Response:
        """`GET .../events` as an open streaming response, ready to read.

        The headers must arrive within the read timeout, and all of them within
        connect + read seconds; after that the stream has no read timeout (a dead
        node is noticed by the session's node watch, a dead connection by TCP
        keepalive).

        Raises the typed error of a non-200 reply (InvalidToken on 403 "Invalid
        token", ConferenceNotFound on 404, ...) and ProtocolError when the reply
        is not `text/event-stream`. The caller closes the response.
        """
        path = f"{self._conference(alias)}/events"
        if not _header_safe(token):
            raise ValueError("the token contains characters not allowed in a header")
        session = session or self._session
        url = self._base + path
        limits = self._timeouts.limits()
        adapter = session.get_adapter(url)
        opening = (adapter.deadline(limits.deadline) if isinstance(adapter, DeadlineAdapter)
                   else contextlib.nullcontext())
        with opening as scope:
            try:
                response = session.get(
                    url,
                    headers={
                        "token": token,
                        "Accept": "text/event-stream",
                        "Accept-Encoding": "identity",  # compression would hold events back
                        "Cache-Control": "no-cache",
                    },
                    stream=True,
                    # The read timeout covers waiting for the reply's headers only (see below).
                    timeout=(limits.connect, limits.read),
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                cause = exc
                if scope is not None and scope.expired:
                    cause = DeadlineExceeded("no reply headers within the deadline")
                failure = self._unreachable(cause, limits)
                log.info("GET %s: %s", path, failure.cause)
                raise failure from exc
            log.debug("GET %s -> HTTP %d (event stream)", path, response.status_code)
            content_type = response.headers.get("Content-Type", "")
            if response.status_code == 200 and content_type.startswith("text/event-stream"):
                # Events may be minutes apart: no read timeout once the stream is open (the
                # deadline ends with this block); the session's node watch and TCP keepalive
                # (KeepaliveAdapter) notice a dead node instead.
                connection = getattr(response.raw, "connection", None)
                sock = getattr(connection, "sock", None)
                if sock is not None:
                    sock.settimeout(None)
                return response
            try:
                body = response.raw.read(MAX_ERROR_BODY, decode_content=True) or b""
            except Exception:  # a broken (or cut-off) error body must not hide the status
                body = b""
            finally:
                response.close()
        if response.status_code == 200:
            raise ProtocolError("events: the reply is not an event stream")
        reply = NodeReply(response.status_code, body, response.headers.get("Retry-After"))
        reply_result(reply, "events", secrets=(token,))
        raise ProtocolError(f"events: unexpected HTTP {response.status_code}")
