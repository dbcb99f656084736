"""A throw-away certificate authority for the simulator's HTTPS (trustme).

The CA certificate is written to `ca.pem` in a directory so a kiosk can trust
it through `PEXIP_CA_BUNDLE`; the server's key never touches the disk.
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import trustme

CA_FILE_NAME = "ca.pem"


def _names_for(host: str) -> list[str]:
    names = ["127.0.0.1", "localhost", "::1"]
    bare = host.strip("[]")
    if bare and bare not in names:
        try:
            ip = ipaddress.ip_address(bare)
        except ValueError:
            names.append(bare)
        else:
            if not ip.is_unspecified:
                names.append(bare)
    return names


class TlsAuthority:
    """A fresh CA and a server certificate for `host` (plus the loopback names)."""

    def __init__(self, host: str) -> None:
        self._ca = trustme.CA(organization_name="Pexip kiosk simulator")
        self._server_cert = self._ca.issue_cert(*_names_for(host))

    def write_ca_bundle(self, directory: Path) -> Path:
        """Write the CA certificate (PEM) into `directory` and return its path."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / CA_FILE_NAME
        self._ca.cert_pem.write_to_path(str(path))
        return path

    def server_context(self) -> ssl.SSLContext:
        """An SSL context for the HTTPS server."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server_cert.configure_cert(context)
        return context
