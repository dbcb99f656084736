"""The web proxy for the node, from the standard proxy environment variables.

Corporate networks often let HTTPS out only through a proxy. The client honours
`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case) of the
process environment, read once when the client is made. It does this explicitly
instead of through `requests`' `trust_env`, which would also let
`REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE` silently replace the configured CA bundle
and `.netrc` add credentials: TLS trust stays the kiosk's own setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from requests.utils import get_environ_proxies

from kiosk.config import is_loopback_host

__all__ = ("proxies_for", "proxy_passwords")


def proxies_for(url: str) -> dict[str, str]:
    """`requests` proxies for `url` from the environment; none when `NO_PROXY` names its host.

    A loopback node (the embedded simulator) is always reached directly: no proxy
    elsewhere can reach this machine's loopback.
    """
    if is_loopback_host(urlsplit(url).hostname or ""):
        return {}
    # getproxies() also reports NO_PROXY as the "no" scheme; only real schemes are kept.
    return {scheme: proxy for scheme, proxy in get_environ_proxies(url).items()
            if scheme != "no" and proxy}


def proxy_passwords(proxies: Mapping[str, str]) -> list[str]:
    """The passwords inside proxy URLs (`http://user:password@proxy:3128`), for log redaction."""
    passwords = []
    for proxy in proxies.values():
        try:
            password = urlsplit(proxy if "://" in proxy else f"http://{proxy}").password
        except ValueError:
            continue
        if password:
            passwords.append(password)
    return passwords
