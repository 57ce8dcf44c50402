"""The SSRF guard: only globally routable targets, including through every IPv6 form that
embeds an IPv4 address (a translator, a tunnel, the mapped form)."""

import pytest

from arbitration.errors import DomainError
from webhooks import addresses

REFUSED = [
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "224.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "fec0::1",  # site-local
    "ff02::1",
    "::ffff:169.254.169.254",  # IPv4-mapped
    "::ffff:127.0.0.1",
    "64:ff9b::a9fe:a9fe",  # NAT64 to the metadata service
    "64:ff9b::7f00:1",
    "64:ff9b::a00:1",
    "64:ff9b:1::808:808",  # local-use NAT64 (RFC 8215)
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:7f00:1::1",
    "2002:a00:1::1",
    "::a9fe:a9fe",  # IPv4-compatible
    "::808:808",
    "2001:0:a9fe:a9fe::1",  # Teredo, server 169.254.169.254
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
]
ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 to a public address
    "2002:808:808::1",  # 6to4 of a public address
]


@pytest.mark.parametrize("address", REFUSED)
def test_it_refuses(address):
    assert not addresses._is_public(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_it_allows(address):
    assert addresses._is_public(address)


@pytest.mark.parametrize("address", ["64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "fec0::1"])
def test_an_endpoint_resolving_to_one_is_refused(settings, monkeypatch, address):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    monkeypatch.setattr(addresses, "resolve", lambda host, port: [address])
    with pytest.raises(DomainError) as refused:
        addresses.check_url("https://hooks.example.com/in")
    assert refused.value.code == "private_url"
