"""Remedies through the API: offers of returns, replacements and line refunds, the shipping
steps, and what the dispute detail shows of them."""

import pytest

from arbitration import services
from arbitration.models import Offer, RefundLine, Shipment
from tests.api.conftest import error_of
from tests.factories import OrderFactory

LINES = [
    {"sku": "MUG-1", "title": "Mug", "quantity": 3, "unit_price_fen": 2000},
    {"sku": "TEA-1", "title": "Tea", "quantity": 1, "unit_price_fen": 4000},
]


@pytest.fixture
def basket_claim(buyer, merchant):
    order = OrderFactory(buyer=buyer, merchant=merchant, items=LINES, amount_fen=10000)
    return services.dispute_open(
        order=order, buyer=buyer, reason="not_received", remedy="refund_only", description="x"
    )


def url(dispute, tail):
    return f"/api/v1/disputes/{dispute.pk}/{tail}"


def offer(client, dispute, **body):
    return client.post(url(dispute, "offers"), {"party": "merchant", **body}, format="json")


def test_the_merchant_offers_line_refunds_and_the_buyer_accepts(client_a, basket_claim):
    lines = [
        {"line": 0, "quantity": 2, "amount_fen": 3000, "reason": "damaged"},
        {"line": 1, "quantity": 1, "amount_fen": 4000, "reason": "wrong_item"},
    ]
    response = offer(client_a, basket_claim, lines=lines)

    assert response.status_code == 201
    body = response.json()
    assert (body["remedy"], body["amount_fen"], body["percent"]) == ("partial_refund", 7000, None)
    assert [(x["line"], x["sku"], x["amount_fen"]) for x in body["lines"]] == [
        (0, "MUG-1", 3000),
        (1, "TEA-1", 4000),
    ]
    accepted = client_a.post(url(basket_claim, "offers/accept"), {"party": "buyer"}, format="json")
    decision = accepted.json()["decision"]
    assert (decision["outcome"], decision["amount_fen"]) == ("partial_refund", 7000)
    assert sum(x["amount_fen"] for x in decision["lines"]) == 7000


def test_an_over_refunded_line_is_a_400_and_changes_nothing(client_a, basket_claim):
    response = offer(
        client_a,
        basket_claim,
        lines=[{"line": 1, "quantity": 1, "amount_fen": 4001, "reason": "damaged"}],
    )

    assert response.status_code == 400
    error = error_of(response)
    assert "at most ¥40.00" in error["message"]
    assert not Offer.objects.exists() and not RefundLine.objects.exists()
    basket_claim.refresh_from_db()
    assert basket_claim.state == "awaiting_merchant"


def test_a_line_with_an_unknown_reason_is_a_400(client_a, basket_claim):
    response = offer(
        client_a,
        basket_claim,
        lines=[{"line": 0, "quantity": 1, "amount_fen": 100, "reason": "bored"}],
    )

    assert response.status_code == 400
    assert not Offer.objects.exists()


def test_a_return_offer_runs_through_the_shipping_steps(client_a, basket_claim):
    assert offer(client_a, basket_claim, remedy="return_and_refund").status_code == 201
    body = client_a.post(url(basket_claim, "offers/accept"), {"party": "buyer"}, format="json")
    assert body.json()["state"] == "awaiting_return"

    wrong = client_a.post(
        url(basket_claim, "return/ship"),
        {"party": "merchant", "carrier": "sf", "tracking_number": "SF1234567890"},
        format="json",
    )
    assert wrong.status_code == 409
    assert error_of(wrong)["code"] == "illegal_transition"
    shipped = client_a.post(
        url(basket_claim, "return/ship"),
        {"party": "buyer", "carrier": "sf", "tracking_number": "SF1234567890"},
        format="json",
    )
    assert shipped.status_code == 200
    detail = shipped.json()
    assert detail["state"] == "return_in_transit"
    assert detail["shipments"] == [
        {
            "kind": "return",
            "carrier": "sf",
            "tracking_number": "SF1234567890",
            "shipped_at": detail["shipments"][0]["shipped_at"],
            "received_at": None,
        }
    ]

    done = client_a.post(
        url(basket_claim, "return/acknowledge"), {"party": "merchant"}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["state"] in ("refunding", "refunded")
    assert done.json()["shipments"][0]["received_at"] is not None


def test_a_replacement_offer_and_its_steps(client_a, basket_claim):
    body = offer(client_a, basket_claim, remedy="replacement").json()
    assert (body["remedy"], body["amount_fen"]) == ("replacement", 0)
    client_a.post(url(basket_claim, "offers/accept"), {"party": "buyer"}, format="json")

    bad = client_a.post(
        url(basket_claim, "replacement/ship"),
        {"party": "merchant", "carrier": "sf", "tracking_number": "#"},
        format="json",
    )
    assert bad.status_code == 400
    assert not Shipment.objects.exists()
    client_a.post(
        url(basket_claim, "replacement/ship"),
        {"party": "merchant", "carrier": "yto", "tracking_number": "YT1234567890"},
        format="json",
    )
    early = client_a.post(url(basket_claim, "replacement/confirm"), {"party": "merchant"})
    assert early.status_code == 409
    confirmed = client_a.post(
        url(basket_claim, "replacement/confirm"), {"party": "buyer"}, format="json"
    )
    assert confirmed.json()["state"] == "closed"


def test_another_platform_cannot_take_a_step(client_b, basket_claim):
    response = client_b.post(
        url(basket_claim, "return/acknowledge"), {"party": "merchant"}, format="json"
    )
    assert response.status_code == 404


def test_the_detail_shows_evidence_requests_and_the_review_clock(
    client_a, basket_claim, arbitrator
):
    from datetime import timedelta

    from django.utils import timezone

    from arbitration.services.requests import evidence_request

    services.dispute_escalate(dispute=basket_claim, party=basket_claim.buyer)
    evidence_request(
        dispute=basket_claim,
        user=arbitrator,
        side="buyer",
        what="The label.",
        due_at=timezone.now() + timedelta(days=1),
    )

    detail = client_a.get(f"/api/v1/disputes/{basket_claim.pk}").json()

    assert [(r["side"], r["what"], r["status"]) for r in detail["evidence_requests"]] == [
        ("buyer", "The label.", "open")
    ]
    assert detail["review_due_at"] is not None


def test_under_review_only_the_side_asked_uploads_through_the_api(client_a, dispute, arbitrator):
    from datetime import timedelta

    from django.utils import timezone

    from arbitration.services.requests import evidence_request
    from tests.conftest import jpeg_upload

    services.dispute_escalate(dispute=dispute, party=dispute.buyer)
    evidence_request(
        dispute=dispute,
        user=arbitrator,
        side="buyer",
        what="The label.",
        due_at=timezone.now() + timedelta(days=1),
    )

    def upload(party):
        return client_a.post(
            url(dispute, "evidence"), {"party": party, "files": [jpeg_upload()]}, format="multipart"
        )

    refused = upload("merchant")
    assert refused.status_code == 400
    assert error_of(refused)["code"] == "evidence_closed"
    assert upload("buyer").status_code == 201
    detail = client_a.get(f"/api/v1/disputes/{dispute.pk}").json()
    assert detail["evidence_requests"][0]["status"] == "fulfilled"
