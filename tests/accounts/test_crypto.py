"""Buyer phone and address: Fernet tokens in the database, plain text in Python."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from accounts import crypto
from accounts.models import Party
from tests.factories import PartyFactory


def raw(party, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM accounts_party WHERE id = %s", [party.pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def fresh_key():
    """Forget the cached cipher around a test that changes the key."""
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


def test_the_phone_is_stored_as_a_fernet_token(db):
    party = PartyFactory(phone="13812341234", address="上海市浦东新区世纪大道100号")

    token = raw(party, "phone")
    assert token.startswith("gAAAAA")
    assert "13812341234" not in token
    assert "世纪大道" not in raw(party, "address")
    assert crypto.decrypt(token) == "13812341234"


def test_the_phone_reads_back_as_plain_text(db):
    party = PartyFactory(phone="13812341234", address="上海市浦东新区世纪大道100号")

    again = Party.objects.get(pk=party.pk)

    assert (again.phone, again.address) == ("13812341234", "上海市浦东新区世纪大道100号")
    assert Party.objects.filter(pk=party.pk).values_list("phone", flat=True).get() == (
        "13812341234"
    )


def test_the_same_number_twice_gives_different_tokens(db):
    first = PartyFactory(phone="13812341234")
    second = PartyFactory(phone="13812341234")

    assert raw(first, "phone") != raw(second, "phone")


def test_an_update_is_encrypted_too(db):
    party = PartyFactory(phone="13812341234")

    Party.objects.filter(pk=party.pk).update(phone="13900001111")

    assert raw(party, "phone").startswith("gAAAAA")
    assert Party.objects.get(pk=party.pk).phone == "13900001111"


def test_an_empty_value_stays_empty(db):
    party = PartyFactory(phone="", address="")

    assert (raw(party, "phone"), raw(party, "address")) == ("", "")
    assert Party.objects.get(pk=party.pk).phone == ""


def test_a_configured_key_is_used(db, settings, fresh_key):
    key = Fernet.generate_key()
    settings.FIELD_ENCRYPTION_KEY = key.decode()

    party = PartyFactory(phone="13812341234")

    assert Fernet(key).decrypt(raw(party, "phone").encode()) == b"13812341234"


def test_a_token_from_another_key_is_refused_with_a_clear_error(db, settings, fresh_key):
    party = PartyFactory(phone="13812341234")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    crypto._fernet.cache_clear()

    with pytest.raises(ValueError, match="configured key"):
        Party.objects.get(pk=party.pk)
