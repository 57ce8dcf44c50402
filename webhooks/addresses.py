"""SSRF guard: webhook URLs must be http(s) and, in production, reach the public internet.

A name is resolved once per check and every address it returns must be public. Delivery then
connects to exactly those checked addresses (``Destination``), never resolving the name again,
so a DNS answer that changes between the check and the connection (DNS rebinding) cannot
steer a request to a private or loopback address.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from arbitration.errors import DomainError

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Destination:
    """Where a checked URL is sent: its name (Host header, TLS SNI and certificate) and the
    addresses that name resolved to when it was checked."""

    scheme: str
    host: str
    port: int
    target: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are IPv4
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215, a private translator
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d, routed nowhere
REFUSED = (LOCAL_NAT64, IPV4_COMPATIBLE)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address reaches through: a translator (NAT64), a tunnel
    (6to4, Teredo's server and client) or the mapped form."""
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    return found


def _is_public(address: str) -> bool:
    """Globally routable, not multicast, and whatever IPv4 it embeds is so too: NAT64's
    ``64:ff9b::a9fe:a9fe`` is 169.254.169.254, the cloud metadata service."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local or any(ip in net for net in REFUSED):
            return False
        return all(_is_public(str(inner)) for inner in _embedded_ipv4(ip))
    return True


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host``, in the resolver's order (one lookup; tests replace it)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _invalid() -> DomainError:
    return DomainError(_("Use an http:// or https:// URL."), code="invalid_url", field="url")


def _parse(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise _invalid()
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise _invalid() from exc
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return parts.scheme, parts.hostname, port, target


def _checked_addresses(host: str, port: int) -> tuple[str, ...]:
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        addresses, cause = [], exc
    else:
        cause = None
    if not addresses:
        raise DomainError(
            _("This URL's host name does not resolve."), code="invalid_url", field="url"
        ) from cause
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS and not all(map(_is_public, addresses)):
        raise DomainError(
            _("Webhook URLs must reach a public address, not a private or loopback one."),
            code="private_url",
            field="url",
        )
    return tuple(addresses)


def check_url(url: str) -> str:
    """Return ``url`` if Tianping may POST to it, else raise ``DomainError`` naming ``url``.

    Checked when an endpoint is saved (with private URLs allowed, the name is not looked up
    yet); every attempt checks again through ``destination``.
    """
    _scheme, host, port, _target = _parse(url)
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        _checked_addresses(host, port)
    return url


def destination(url: str) -> Destination:
    """Check ``url`` now and pin the addresses to connect to, else raise ``DomainError``."""
    scheme, host, port, target = _parse(url)
    return Destination(scheme, host, port, target, _checked_addresses(host, port))
