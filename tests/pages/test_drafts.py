"""A buyer's unsent draft is the buyer's alone: for the merchant it does not exist."""

import pytest
from django.urls import reverse

from accounts.models import MerchantReport
from arbitration import services
from arbitration.models import Dispute
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(buyer, merchant):
    order = OrderFactory(buyer=buyer, merchant=merchant, amount_fen=10000)
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="Private draft words.",
        files=[jpeg_upload()],
        user=buyer.user,
        submit=False,
    )


def test_the_draft_is_a_draft(draft):
    assert draft.state == Dispute.State.OPEN


def test_the_buyer_still_reads_the_draft(buyer_client, draft):
    response = buyer_client.get(reverse("dispute", kwargs={"pk": draft.pk}))
    assert response.status_code == 200
    assert "Private draft words." in response.content.decode()


def test_the_merchant_cannot_read_the_draft(merchant_client, draft):
    assert merchant_client.get(reverse("dispute", kwargs={"pk": draft.pk})).status_code == 404


def test_the_merchant_cannot_fetch_the_drafts_photos(merchant_client, draft):
    item = Evidence.objects.get(dispute=draft)
    assert merchant_client.get(reverse("evidence_file", args=[item.uid])).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("merchant_respond", {"statement": "Not cracked."}),
        ("merchant_accept_claim", {}),
        ("merchant_report", {"category": "harassment", "statement": "Rude."}),
        ("offer_make", {"mode": "percent", "percent": "10"}),
        ("evidence_upload", {}),
        ("dispute_capture", None),
    ],
)
def test_the_merchant_cannot_act_on_the_draft(merchant_client, draft, name, data):
    url = reverse(name, kwargs={"pk": draft.pk})
    if data is None:
        response = merchant_client.get(url)
    elif name == "evidence_upload":
        response = merchant_client.post(url, {"files": [jpeg_upload("box.jpg")]})
    else:
        response = merchant_client.post(url, data)
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.state == Dispute.State.OPEN
    assert draft.merchant_statement == ""
    assert not MerchantReport.objects.exists()
    assert not Evidence.objects.filter(dispute=draft, role=Evidence.Role.MERCHANT).exists()


def test_the_merchants_orders_page_does_not_link_the_draft(merchant_client, draft):
    page = merchant_client.get(reverse("merchant_orders")).content.decode()
    assert reverse("dispute", kwargs={"pk": draft.pk}) not in page


def test_once_sent_the_merchant_sees_it(merchant_client, draft, buyer):
    services.dispute_submit(dispute=draft, party=buyer, user=buyer.user)
    assert merchant_client.get(reverse("dispute", kwargs={"pk": draft.pk})).status_code == 200
