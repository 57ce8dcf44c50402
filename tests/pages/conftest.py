"""Logged-in browsers (Django test clients) for the named actors of tests/conftest.py."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from arbitration import services

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(client):
    """Assertions read English; test_i18n.py covers the Chinese pages."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


def client_for(user) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def buyer_client(buyer):
    return client_for(buyer.user)


@pytest.fixture
def merchant_client(merchant):
    return client_for(merchant.user)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider.user)


@pytest.fixture
def arbitrator_client(arbitrator):
    return client_for(arbitrator)


@pytest.fixture
def offered(dispute, merchant):
    """The merchant has offered 30 % of the order; the buyer's move."""
    services.offer_make(dispute=dispute, party=merchant, percent=30, user=merchant.user)
    dispute.refresh_from_db()
    return dispute
