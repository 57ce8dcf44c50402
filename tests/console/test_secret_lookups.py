"""Nobody filters a console list on a secret: no hash, key, webhook secret or ciphertext
becomes an oracle through the changelist's row count."""

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from arbitration.console import ConsoleAccess, console
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USERS = "/console/accounts/user/"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, is_arbitrator=True)


@pytest.mark.parametrize(
    "url",
    [
        USERS + "?password__startswith=pbkdf2",
        USERS + "?password__startswith=md5",
        USERS + "?password=x",
        USERS + "?parties__phone__contains=1",
        "/console/accounts/party/?user__password__startswith=md5",
        "/console/accounts/party/?identity_hash__startswith=a",
        "/console/accounts/party/?address__contains=a",
        "/console/accounts/apikey/?hashed_key__startswith=a",
        "/console/webhooks/webhookdelivery/?endpoint__secret__startswith=w",
        "/console/webhooks/webhookdelivery/?endpoint__previous_secret__startswith=w",
    ],
)
def test_an_arbitrator_cannot_filter_on_a_secret(console_client, superuser, url):
    response = console_client.get(url)
    assert response.status_code == 400


def test_nor_can_a_superuser(client, superuser):
    client.force_login(superuser)
    assert client.get(USERS + "?password__startswith=md5").status_code == 400


def test_ordinary_filters_still_work(console_client, superuser):
    response = console_client.get(USERS + "?is_arbitrator__exact=1&username__startswith=ro")
    assert response.status_code == 200
    assert "root" in response.content.decode()


def test_every_console_admin_refuses_secret_lookups():
    for model, model_admin in console._registry.items():
        assert isinstance(model_admin, ConsoleAccess), model
        assert not model_admin.lookup_allowed("password__startswith", "x", None), model


def test_the_console_refuses_an_admin_without_console_access():
    class Plain(admin.ModelAdmin):
        pass

    site = type(console)(name="scratch")
    with pytest.raises(ImproperlyConfigured):
        site.register(User, Plain)
