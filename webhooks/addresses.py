"""SSRF guard: webhook URLs must be http(s) and, in production, reach the public internet."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from arbitration.errors import DomainError


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> str:
    """Return ``url`` if Tianping may POST to it, else raise ``DomainError`` naming ``url``.

    Checked when an endpoint is saved and again before every attempt, since a name's
    addresses can change after it was accepted (DNS rebinding).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(_("Use an http:// or https:// URL."), code="invalid_url", field="url")
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise DomainError(
            _("This URL's host name does not resolve."), code="invalid_url", field="url"
        ) from exc
    if not all(_is_public(info[4][0]) for info in infos):
        raise DomainError(
            _("Webhook URLs must reach a public address, not a private or loopback one."),
            code="private_url",
            field="url",
        )
    return url
