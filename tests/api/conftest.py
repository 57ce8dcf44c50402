"""Two platforms, each with an API key, and a client that calls the API as one of them."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Party
from accounts.services import api_key_create
from tests.factories import OrderFactory, PartyFactory, PlatformFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def other_platform(db):
    return PlatformFactory(name="Other Mall", slug="other-mall")


@pytest.fixture
def api_key(platform):
    return api_key_create(platform=platform, name="orders service")


@pytest.fixture
def api_client(db):
    """``api_client(platform)``: a client carrying a fresh key of that platform."""

    def make(platform, **headers) -> APIClient:
        _key, plaintext = api_key_create(platform=platform, name="tests")
        client = APIClient()
        # Messages are asserted in English; without the header the site default (Chinese) applies.
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en", **headers
        )
        return client

    return make


@pytest.fixture
def client_a(api_client, platform):
    return api_client(platform)


@pytest.fixture
def client_b(api_client, other_platform):
    return api_client(other_platform)


@pytest.fixture
def other_order(other_platform):
    """An order of the other platform; platform A must never see it."""
    buyer = PartyFactory(platform=other_platform, kind=Party.Kind.BUYER)
    merchant = PartyFactory(platform=other_platform, kind=Party.Kind.MERCHANT)
    return OrderFactory(buyer=buyer, merchant=merchant)


def error_of(response) -> dict:
    """The API's error object, after checking the response has exactly that shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]
