"""API keys in the console: a superuser makes one (shown once) and revokes it."""

from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import api_key_create
from tests.factories import UserFactory

KEYS = "/console/accounts/apikey/"


def test_a_superuser_creates_a_key_and_sees_it_once(client, platform, order):
    admin = UserFactory(is_superuser=True, is_staff=True, is_arbitrator=True)
    client.force_login(admin)
    response = client.post(
        f"{KEYS}add/",
        {"platform": platform.pk, "name": "order sync", "_save": "Save"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    [message] = [str(m) for m in response.context["messages"] if "shown again" in str(m)]
    plaintext = message.rsplit(" ", 1)[-1]
    assert plaintext.startswith(f"tp_{key.prefix}_")
    assert plaintext not in client.get(f"{KEYS}{key.pk}/change/").content.decode()
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get(f"/api/v1/orders/{order.external_id}").status_code == 200


def test_the_list_shows_the_prefix_only(console_client, platform):
    key, plaintext = api_key_create(platform=platform, name="order sync")
    page = console_client.get(KEYS).content.decode()
    assert f"tp_{key.prefix}_" in page
    assert plaintext not in page


def test_a_superuser_revokes_a_key(client, platform, order):
    key, plaintext = api_key_create(platform=platform, name="order sync")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.post(KEYS, {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get(f"/api/v1/orders/{order.external_id}").status_code == 401


def test_an_arbitrator_who_is_not_a_superuser_cannot_make_or_revoke_keys(console_client, platform):
    key, _plaintext = api_key_create(platform=platform, name="order sync")
    assert console_client.get(f"{KEYS}add/").status_code == 403
    console_client.post(KEYS, {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is None


def test_an_outsider_cannot_see_the_keys(client, buyer, platform):
    api_key_create(platform=platform, name="order sync")
    client.force_login(buyer.user)
    response = client.get(KEYS)
    assert response.status_code == 302
    assert "/console/login/" in response["Location"]
