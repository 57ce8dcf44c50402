"""Phone masking: merchants see enough to recognise a number, never the whole of it."""

import pytest

from accounts.masking import mask_phone
from accounts.models import Party
from tests.factories import PartyFactory


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("138-1234-1234", "138****1234"),
        ("+86 138 1234 1234", "138****1234"),
        ("0086 13812341234", "138****1234"),
        ("021-12345678", "021****5678"),
        ("12345678", "****5678"),
        ("1234567", "****"),
        ("12345", "****"),
        ("1", "****"),
        ("", ""),
        ("n/a", ""),
    ],
)
def test_it_masks_the_middle_of_a_phone_number(phone, shown):
    assert mask_phone(phone) == shown


@pytest.mark.parametrize("phone", ["13812341234", "+8613812341234", "12345678", "1234567"])
def test_at_least_four_digits_stay_hidden(phone):
    digits = "".join(ch for ch in phone if ch.isdigit()).removeprefix("86")

    assert sum(ch.isdigit() for ch in mask_phone(phone)) <= len(digits) - 4


def test_a_party_shows_its_phone_masked(db):
    party = PartyFactory(kind=Party.Kind.BUYER, phone="13987654321")

    assert party.masked_phone == "139****4321"


def test_a_party_without_a_phone_shows_nothing(db):
    assert PartyFactory(phone="").masked_phone == ""
