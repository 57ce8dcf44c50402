"""The remedy steps and evidence requests on the buyer's and the merchant's dispute pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from arbitration import services
from arbitration.models import Decision, Offer, RefundLine, Shipment
from arbitration.services import remedies, requests
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

from .conftest import HTMX

LINES = [
    {"sku": "MUG-1", "title": "Mug", "quantity": 3, "unit_price_fen": 2000},
    {"sku": "TEA-1", "title": "Tea", "quantity": 1, "unit_price_fen": 5000},
]


def url(name, dispute):
    return reverse(name, kwargs={"pk": dispute.pk})


def state_of(dispute):
    dispute.refresh_from_db()
    return dispute.state


@pytest.fixture
def basket_claim(buyer, merchant):
    order = OrderFactory(buyer=buyer, merchant=merchant, items=LINES, amount_fen=11000)
    return services.dispute_open(
        order=order, buyer=buyer, reason="not_received", remedy="refund_only", description="x"
    )


def decided(dispute, arbitrator, outcome, **kw):
    services.dispute_escalate(dispute=dispute, party=dispute.buyer)
    services.dispute_decide(dispute=dispute, user=arbitrator, outcome=outcome, reasoning="r", **kw)
    return dispute


def test_the_buyer_sees_the_return_label_and_sends_the_tracking_number(
    basket_claim, arbitrator, buyer_client, merchant_client
):
    dispute = decided(basket_claim, arbitrator, "return_and_refund")
    page = buyer_client.get(url("dispute", dispute)).content.decode()
    assert 'data-testid="return-label"' in page
    assert remedies.return_code(dispute) in page
    assert (
        'data-testid="return-ship"'
        not in merchant_client.get(url("dispute", dispute)).content.decode()
    )

    response = buyer_client.post(
        url("return_ship", dispute), {"carrier": "sf", "tracking_number": "SF1234567890"}, **HTMX
    )

    assert response.status_code == 200
    assert "SF1234567890" in response.content.decode()
    assert state_of(dispute) == "return_in_transit"
    page = merchant_client.get(url("dispute", dispute)).content.decode()
    assert 'data-testid="return-acknowledge"' in page and "SF1234567890" in page


def test_a_bad_tracking_number_on_the_page_is_a_400_and_changes_nothing(
    basket_claim, arbitrator, buyer_client
):
    dispute = decided(basket_claim, arbitrator, "return_and_refund")

    response = buyer_client.post(
        url("return_ship", dispute), {"carrier": "sf", "tracking_number": "??"}, **HTMX
    )

    assert response.status_code == 400
    assert 'data-testid="error-tracking_number"' in response.content.decode()
    assert state_of(dispute) == "awaiting_return"
    assert not Shipment.objects.exists()


def test_the_merchant_acknowledges_the_return_and_the_buyer_cannot(
    basket_claim, arbitrator, buyer, buyer_client, merchant_client
):
    dispute = decided(basket_claim, arbitrator, "return_and_refund")
    remedies.return_ship(dispute=dispute, party=buyer, carrier="jd", tracking_number="JD0001112223")

    assert buyer_client.post(url("return_acknowledge", dispute)).status_code == 404
    response = merchant_client.post(url("return_acknowledge", dispute), **HTMX)

    assert response.status_code == 200
    assert state_of(dispute) in ("refunding", "refunded")
    again = merchant_client.post(url("return_acknowledge", dispute), **HTMX)
    assert again.status_code == 409


def test_the_replacement_is_shipped_by_the_merchant_and_confirmed_by_the_buyer(
    basket_claim, arbitrator, buyer_client, merchant_client
):
    dispute = decided(basket_claim, arbitrator, "replacement")
    assert (
        buyer_client.post(
            url("replacement_ship", dispute), {"carrier": "sf", "tracking_number": "SF1234567890"}
        ).status_code
        == 404
    )

    response = merchant_client.post(
        url("replacement_ship", dispute), {"carrier": "ems", "tracking_number": "EA123456789CN"}
    )
    assert response.status_code == 302
    assert state_of(dispute) == "replacement_shipped"
    page = buyer_client.get(url("dispute", dispute)).content.decode()
    assert "EA123456789CN" in page and 'data-testid="replacement-confirm"' in page

    assert merchant_client.post(url("replacement_confirm", dispute)).status_code == 404
    assert buyer_client.post(url("replacement_confirm", dispute), **HTMX).status_code == 200
    assert state_of(dispute) == "closed"


def test_the_merchant_offers_line_refunds_from_the_page(
    basket_claim, merchant_client, buyer_client
):
    response = merchant_client.get(url("dispute", basket_claim))
    assert 'data-testid="line-picker"' in response.content.decode()

    response = merchant_client.post(
        url("offer_make", basket_claim),
        {
            "remedy": "partial_refund",
            "mode": "lines",
            "line_0_quantity": "1",
            "line_0_amount": "15",
            "line_0_reason": "damaged",
            "line_1_quantity": "1",
            "line_1_reason": "missing",
        },
        **HTMX,
    )

    assert response.status_code == 200
    offer = Offer.objects.get()
    assert (offer.amount_fen, offer.remedy) == (6500, "partial_refund")
    assert list(offer.lines.values_list("line_index", "amount_fen", "reason")) == [
        (0, 1500, "damaged"),
        (1, 5000, "missing"),
    ]
    page = buyer_client.get(url("dispute", basket_claim)).content.decode()
    assert 'data-testid="offer-lines"' in page


def test_an_over_refund_of_a_line_on_the_page_is_a_400_and_changes_nothing(
    basket_claim, merchant_client
):
    response = merchant_client.post(
        url("offer_make", basket_claim),
        {
            "mode": "lines",
            "line_1_quantity": "1",
            "line_1_amount": "50.01",
            "line_1_reason": "damaged",
        },
        **HTMX,
    )

    assert response.status_code == 400
    assert "at most ¥50.00" in response.content.decode()
    assert not Offer.objects.exists() and not RefundLine.objects.exists()
    assert state_of(basket_claim) == "awaiting_merchant"


def test_the_merchant_offers_a_replacement_and_the_buyer_accepts_it(
    basket_claim, merchant_client, buyer_client
):
    merchant_client.post(
        url("offer_make", basket_claim), {"remedy": "replacement", "mode": "amount"}
    )
    page = buyer_client.get(url("dispute", basket_claim)).content.decode()
    assert "Accept the replacement" in page

    buyer_client.post(url("offer_accept", basket_claim))

    assert Decision.objects.get().outcome == "replacement"
    assert state_of(basket_claim) == "awaiting_replacement"


def test_the_party_asked_for_evidence_sees_the_request_and_can_upload(
    dispute, buyer, arbitrator, buyer_client, merchant_client
):
    services.dispute_escalate(dispute=dispute, party=buyer)
    requests.evidence_request(
        dispute=dispute,
        user=arbitrator,
        side="buyer",
        what="A photo of the label.",
        due_at=timezone.now() + timedelta(days=1),
    )

    page = buyer_client.get(url("dispute", dispute)).content.decode()
    assert "A photo of the label." in page and 'data-testid="evidence-upload"' in page
    other = merchant_client.get(url("dispute", dispute)).content.decode()
    assert 'data-testid="evidence-request"' not in other
    assert 'data-testid="evidence-upload"' not in other
    assert 'data-testid="review-due"' in other

    refused = merchant_client.post(
        url("evidence_upload", dispute), {"files": [jpeg_upload()]}, **HTMX
    )
    assert refused.status_code == 400

    response = buyer_client.post(
        url("evidence_upload", dispute), {"files": [jpeg_upload()], "caption": "label"}, **HTMX
    )
    assert response.status_code == 200
    assert dispute.evidence_requests.get().status == "fulfilled"
