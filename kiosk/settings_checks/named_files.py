"""Files that settings name are checked to be what they claim, once, at start.

A CA bundle that is not PEM (a DER file, a private key, an HTML error page
saved by a browser) would otherwise only show up at the first join as a TLS
failure in a meeting room. A TOML rules file that does not parse is refused
the same way. Each reads through `read_regular_file` (no FIFO, bounded).
"""

from __future__ import annotations

import re
import ssl
import tomllib
from pathlib import Path
from typing import Any

from kiosk.settings_checks.config_error import ConfigError
from kiosk.settings_checks.regular_file import FileRefused, read_regular_file

MAX_CA_BUNDLE_BYTES = 8 * 1024 * 1024
MAX_TOML_BYTES = 1024 * 1024
PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"
_SOURCE_LOCATION = re.compile(r"\s*\(_ssl\.c:\d+\)")


def _openssl_reason(exc: Exception) -> str:
    """OpenSSL's words without the source location: 'no start line: cadata does not ...'."""
    text = getattr(exc, "reason", None) or (exc.args[1] if len(exc.args) > 1 else str(exc))
    return _SOURCE_LOCATION.sub("", str(text)).strip() or type(exc).__name__


def _read(key: str, path: Path, max_bytes: int) -> bytes:
    try:
        return read_regular_file(path, max_bytes)
    except FileRefused as exc:
        raise ConfigError(key, f"{str(path)!r} {exc}") from None


def check_ca_bundle(key: str, path: Path) -> int:
    """The number of certificates in the PEM file at `path`; ConfigError when it has none."""
    data = _read(key, path, MAX_CA_BUNDLE_BYTES)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ConfigError(key, f"{str(path)!r} is not a PEM text file of CA certificates "
                               "(a binary DER file? convert it with `openssl x509 -inform der`)"
                          ) from None
    if PEM_CERTIFICATE not in text:
        raise ConfigError(key, f"{str(path)!r} holds no PEM certificate "
                               f"(no '{PEM_CERTIFICATE}' line)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cadata=text)
    except (ssl.SSLError, ValueError) as exc:
        raise ConfigError(key, f"{str(path)!r} is not a valid PEM certificate file "
                               f"({_openssl_reason(exc)})") from None
    count = int(context.cert_store_stats().get("x509", 0))
    if count < 1:
        raise ConfigError(key, f"{str(path)!r} holds no usable certificate")
    return count


def read_toml_file(key: str, path: Path) -> dict[str, Any]:
    """The parsed TOML file at `path` (a rules file); ConfigError when it does not parse."""
    data = _read(key, path, MAX_TOML_BYTES)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(key, f"{str(path)!r} is not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(key, f"{str(path)!r} is not valid TOML ({exc})") from None
