"""Texts on the pages are capped (``arbitration/limits.py``): over the cap, a 4xx and nothing
is stored."""

import pytest
from django.urls import reverse

from accounts.models import MerchantReport
from arbitration.limits import DESCRIPTION_MAX, STATEMENT_MAX
from arbitration.models import Dispute
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_a_description_over_the_cap_is_refused(buyer_client, buyer, merchant):
    order = OrderFactory(buyer=buyer, merchant=merchant, amount_fen=10000)
    response = buyer_client.post(
        reverse("dispute_open", kwargs={"order_id": order.pk}),
        {
            "reason": "not_received",
            "remedy": "refund_only",
            "description": "x" * (DESCRIPTION_MAX + 1),
        },
    )
    assert 400 <= response.status_code < 500
    assert not Dispute.objects.filter(order=order).exists()


@pytest.mark.parametrize("name", ["merchant_respond", "merchant_report"])
def test_a_statement_over_the_cap_is_refused(merchant_client, dispute, name):
    response = merchant_client.post(
        reverse(name, kwargs={"pk": dispute.pk}),
        {"statement": "x" * (STATEMENT_MAX + 1), "category": "other"},
    )
    assert 400 <= response.status_code < 500
    dispute.refresh_from_db()
    assert dispute.merchant_statement == ""
    assert not MerchantReport.objects.exists()
