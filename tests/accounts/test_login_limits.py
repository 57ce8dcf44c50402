"""Every login form is rate-limited per client address and per username, and behind trusted
proxies the client is the address the proxy saw, not the proxy."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMS = ["/accounts/login/", "/console/login/"]


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_RATE_LIMIT = "5/m"
    settings.LOGIN_USERNAME_RATE_LIMIT = "3/h"


@pytest.fixture
def judge(db):
    return UserFactory(username="judge", is_arbitrator=True)


def attempt(url, username, password=None, *, ip="203.0.113.9", **headers):
    return Client(REMOTE_ADDR=ip, **headers).post(
        url, {"username": username, "password": password or "wrong-password"}
    )


@pytest.mark.parametrize("url", FORMS)
def test_guessing_one_password_stops_at_the_username_limit(judge, url):
    """Even from many addresses, then with the right password: the attacker never gets in."""
    statuses = [attempt(url, "judge", ip=f"198.51.100.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 200]
    right = attempt(url, "judge", "pw-for-tests-1", ip="198.51.100.99")
    assert right.status_code == 429
    assert "_auth_user_id" not in right.client.session


def test_the_username_limit_is_shared_by_both_forms_and_ignores_case_and_spaces(judge):
    for url, name in [(FORMS[0], "judge"), (FORMS[1], " JUDGE "), (FORMS[0], "Judge")]:
        assert attempt(url, name, ip="198.51.100.1").status_code == 200
    assert attempt(FORMS[1], "judge", ip="198.51.100.2").status_code == 429


@pytest.mark.parametrize("url", FORMS)
def test_one_address_is_limited_across_usernames(url):
    statuses = [attempt(url, f"user{n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert attempt(url, "someone", ip="203.0.113.10").status_code == 200


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored():
    for n in range(5):
        attempt(FORMS[0], f"user{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert attempt(FORMS[0], "user9", HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


@pytest.mark.parametrize("trusted", [1, ("10.0.0.0/8",)])
def test_behind_a_trusted_proxy_clients_have_their_own_budgets(settings, trusted):
    settings.TRUSTED_PROXIES = trusted
    proxy = {"ip": "10.0.0.2"}
    for n in range(5):
        attempt(FORMS[0], f"user{n}", HTTP_X_FORWARDED_FOR="192.0.2.1", **proxy)
    limited = attempt(FORMS[0], "user9", HTTP_X_FORWARDED_FOR="192.0.2.1", **proxy)
    assert limited.status_code == 429
    other = attempt(FORMS[0], "user9", HTTP_X_FORWARDED_FOR="192.0.2.2", **proxy)
    assert other.status_code == 200
    # a client's own forged entries come before what the proxy appended: still limited
    forged = attempt(FORMS[0], "user9", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.1", **proxy)
    assert forged.status_code == 429
