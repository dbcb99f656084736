"""Test helper: a real CalDAV server (Radicale) over HTTPS on 127.0.0.1, one user."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from types import TracebackType
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import radicale
import radicale.config
import trustme

USER = "room42"
PASSWORD = "Radicale-Pass-1"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class LoopbackCalDav:
    """`url` is the server's root; `calendar_url(name)` a calendar collection of USER."""

    def __init__(self, directory: Path) -> None:
        users = directory / "users"
        users.write_text(f"{USER}:{PASSWORD}\n")
        configuration = radicale.config.load()
        configuration.update({
            "auth": {"type": "htpasswd", "htpasswd_filename": str(users),
                     "htpasswd_encryption": "plain"},
            "storage": {"filesystem_folder": str(directory / "collections")},
            "rights": {"type": "owner_only"},
            "logging": {"level": "warning"},
        }, "kiosk tests", privileged=True)
        ca = trustme.CA()
        self.ca_bundle = directory / "caldav-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_bundle))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self._httpd = make_server("127.0.0.1", 0, radicale.Application(configuration),
                                  server_class=_ThreadingServer, handler_class=_QuietHandler)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def calendar_url(self, name: str) -> str:
        """The address of USER's calendar `name`."""
        return f"{self.url}/{USER}/{name}/"

    def __enter__(self) -> LoopbackCalDav:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
