"""Appeals on the parties' pages and in the console: filed by a party, reviewed by another
arbitrator, seen by both."""

import pytest
from django.urls import reverse

from arbitration import services
from arbitration.models import DecisionAppeal
from tests.conftest import jpeg_upload
from tests.factories import UserFactory
from tests.pages.conftest import client_for


@pytest.fixture
def decided(dispute, buyer, arbitrator):
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="full_refund", reasoning="Crack is visible."
    )
    return dispute


def test_the_merchant_files_an_appeal_and_the_buyer_sees_it(decided, merchant_client, buyer_client):
    page = merchant_client.get(reverse("dispute", args=[decided.pk])).content.decode()
    assert 'data-testid="appeal-form"' in page

    response = merchant_client.post(
        reverse("appeal_file", args=[decided.pk]),
        {"statement": "The crack was made after delivery.", "files": [jpeg_upload()]},
    )

    assert response.status_code == 302
    appeal = DecisionAppeal.objects.get()
    assert (appeal.side, appeal.evidence.count()) == ("merchant", 1)
    page = buyer_client.get(reverse("dispute", args=[decided.pk])).content.decode()
    assert 'data-testid="appeal-merchant"' in page
    assert "The merchant appealed the decision" in page


def test_an_appeal_without_a_statement_is_refused(decided, merchant_client):
    response = merchant_client.post(reverse("appeal_file", args=[decided.pk]), {"statement": ""})

    assert response.status_code == 400
    assert not DecisionAppeal.objects.exists()


def test_an_outsider_cannot_appeal(decided, outsider_client):
    response = outsider_client.post(
        reverse("appeal_file", args=[decided.pk]), {"statement": "Me too."}
    )

    assert response.status_code == 404
    assert not DecisionAppeal.objects.exists()


def test_no_appeal_form_before_a_decision(dispute, buyer_client):
    page = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert 'data-testid="appeal-form"' not in page


def test_another_arbitrator_overturns_in_the_console(decided, merchant, arbitrator, buyer_client):
    services.appeal_file(dispute=decided, party=merchant, statement="Made after delivery.")
    appeal = DecisionAppeal.objects.get()
    url = reverse("console:arbitration_dispute_change", args=[decided.pk])
    review_url = reverse("console:arbitration_dispute_appeal_review", args=[decided.pk, appeal.pk])
    own = client_for(arbitrator).get(url).content.decode()
    assert 'data-testid="appeal-own-decision"' in own
    assert 'data-testid="appeal-review-form"' not in own
    refused = client_for(arbitrator).post(
        review_url, {"appeal-verdict": "uphold", "appeal-reasons": "Mine."}
    )
    assert refused.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "filed"

    reviewer = client_for(UserFactory(is_arbitrator=True))
    assert 'data-testid="appeal-review-form"' in reviewer.get(url).content.decode()
    response = reviewer.post(
        review_url,
        {
            "appeal-verdict": "overturn",
            "appeal-outcome": "partial_refund",
            "appeal-amount": "40.00",
            "appeal-reasons": "The packing video shows the crack.",
        },
    )

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.adjustment_fen) == ("overturned", -6000)
    page = buyer_client.get(reverse("dispute", args=[decided.pk])).content.decode()
    assert "The buyer owes ¥60.00 back." in page
    assert "The packing video shows the crack." in page


def test_a_bad_review_changes_nothing(decided, merchant):
    services.appeal_file(dispute=decided, party=merchant, statement="Made after delivery.")
    appeal = DecisionAppeal.objects.get()
    reviewer = client_for(UserFactory(is_arbitrator=True))
    review_url = reverse("console:arbitration_dispute_appeal_review", args=[decided.pk, appeal.pk])

    reviewer.post(review_url, {"appeal-verdict": "maybe", "appeal-reasons": "x"})
    reviewer.post(
        review_url,
        {"appeal-verdict": "overturn", "appeal-outcome": "partial_refund", "appeal-reasons": "x"},
    )

    appeal.refresh_from_db()
    assert appeal.status == "filed"


def test_a_party_cannot_review(decided, merchant, buyer_client):
    services.appeal_file(dispute=decided, party=merchant, statement="Made after delivery.")
    appeal = DecisionAppeal.objects.get()
    review_url = reverse("console:arbitration_dispute_appeal_review", args=[decided.pk, appeal.pk])

    buyer_client.post(review_url, {"appeal-verdict": "uphold", "appeal-reasons": "x"})

    appeal.refresh_from_db()
    assert appeal.status == "filed"
