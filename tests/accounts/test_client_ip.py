"""The client address rate limits count by (``TRUSTED_PROXIES``)."""

import pytest
from django.test import RequestFactory

from arbitration.ratelimits import client_ip


def ip(remote: str, forwarded: str | None = None) -> str:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.2", "192.0.2.1", "10.0.0.2"),
        (1, "10.0.0.2", "192.0.2.1", "192.0.2.1"),
        (1, "10.0.0.2", "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (2, "10.0.0.3", "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (2, "10.0.0.3", "192.0.2.1", "192.0.2.1"),  # fewer hops than proxies: the first
        (1, "10.0.0.2", None, "10.0.0.2"),
        (1, "10.0.0.2", "not-an-ip", "10.0.0.2"),
        (1, "10.0.0.2", "2001:db8::7", "2001:db8::7"),
        (("10.0.0.0/8",), "10.0.0.3", "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (("10.0.0.0/8",), "192.0.2.5", "6.6.6.6", "192.0.2.5"),  # not from a proxy
        (("10.0.0.0/8", "fd00::/8"), "fd00::1", "10.1.1.1, 192.0.2.9", "192.0.2.9"),
        (("10.0.0.0/8",), "10.0.0.3", "10.9.9.9", "10.9.9.9"),  # all proxies: the first
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert ip(remote, forwarded) == expected
