"""Webhook tests: private (loopback) URLs allowed, an endpoint to the test receiver, and an
independent check of the signature."""

import hashlib
import hmac

import pytest

from webhooks import services


@pytest.fixture(autouse=True)
def _private_urls_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def endpoint(platform, receiver):
    return services.endpoint_create(platform=platform, url=receiver.url)


def verify(header: str, body: bytes, secret: str) -> bool:
    """An independent receiver-side check, written as a platform would from the README."""
    parts = [item.split("=", 1) for item in header.split(",")]
    timestamp = next(value for key, value in parts if key == "t")
    expected = hmac.new(
        secret.encode(), f"{timestamp}.{body.decode()}".encode(), hashlib.sha256
    ).hexdigest()
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in parts)
