"""Signed-in actions count per person (``ACTION_RATE_LIMIT``), not per connecting address."""

import pytest
from django.urls import reverse

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_person_posting_too_often_gets_the_429_page(settings, buyer, merchant, dispute):
    settings.ACTION_RATE_LIMIT = "2/m"
    url = reverse("merchant_respond", kwargs={"pk": dispute.pk})
    client = client_for(merchant.user)
    statuses = [client.post(url, {"statement": f"Try {n}"}).status_code for n in range(3)]
    assert statuses[:2] != [429, 429]
    assert statuses[2] == 429
    dispute.refresh_from_db()
    assert dispute.merchant_statement == "Try 1"
    # someone else behind the same address still has their budget
    other = client_for(buyer.user)
    assert other.get(reverse("dispute", kwargs={"pk": dispute.pk})).status_code == 200
    assert other.post(reverse("dispute_withdraw", kwargs={"pk": dispute.pk})).status_code == 302
