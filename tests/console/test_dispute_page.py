"""The dispute page: both sides' evidence, the timeline, and the arbitrator's decision."""

import pytest

from accounts.models import Party
from arbitration.models import Decision, Dispute
from evidence.models import Evidence
from evidence.services import evidence_add
from tests.conftest import jpeg_upload

from .conftest import page_url

pytestmark = pytest.mark.django_db


def decide(client, dispute, **data):
    return client.post(page_url(dispute), {"reasoning": "The crack shows in two angles.", **data})


def assert_unchanged(dispute):
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.UNDER_REVIEW
    assert not Decision.objects.filter(dispute=dispute).exists()


def test_it_shows_both_sides_evidence_in_their_own_columns(console_client, under_review):
    listing = evidence_add(
        order=under_review.order,
        party=under_review.merchant,
        files=[jpeg_upload("listing.jpg")],
        role=Evidence.Role.LISTING,
    )[0]
    buyer_item = under_review.evidence.get(role=Evidence.Role.BUYER)
    merchant_item = under_review.evidence.get(role=Evidence.Role.MERCHANT)
    response = console_client.get(page_url(under_review))
    assert response.status_code == 200
    body = response.content.decode()
    buyer_column = body.split('data-testid="buyer-evidence"')[1].split('data-testid="merchant')[0]
    merchant_column = body.split('data-testid="merchant-evidence"')[1].split('id="order"')[0]
    listing_strip = body.split('data-testid="listing-photos"')[1].split('id="offers"')[0]
    assert f"/evidence/{buyer_item.uid}/" in buyer_column
    assert f"/evidence/{buyer_item.uid}/original" in buyer_column
    assert str(merchant_item.uid) in merchant_column
    assert str(merchant_item.uid) not in buyer_column
    assert str(listing.uid) in listing_strip
    assert body.count('data-testid="forensic-findings"') == 3
    assert "waiting for analysis" in body


def test_it_shows_the_timeline_order_and_masked_buyer(console_client, under_review):
    response = console_client.get(page_url(under_review))
    body = response.content.decode()
    timeline = body.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li") == under_review.events.count() == 5
    assert "asked for arbitration" in timeline
    assert "No deal." in timeline
    assert "under review" in timeline
    assert under_review.order.external_id in body
    assert "¥100.00" in body
    assert "138****1234" in body
    assert "13812341234" not in body
    assert "上海" in body


def test_it_shows_the_decision_form_only_while_under_review(console_client, dispute):
    assert (
        'data-testid="decision-form"' not in console_client.get(page_url(dispute)).content.decode()
    )


def test_it_decides_a_forty_percent_partial_refund(console_client, under_review, arbitrator):
    relied = under_review.evidence.get(role=Evidence.Role.BUYER)
    response = decide(
        console_client,
        under_review,
        outcome="partial_refund",
        percent="40",
        evidence=[relied.pk],
    )
    assert response.status_code == 302
    under_review.refresh_from_db()
    assert under_review.state == Dispute.State.DECIDED
    decision = under_review.decision
    assert (decision.outcome, decision.amount_fen) == ("partial_refund", 4000)
    assert decision.decided_by == arbitrator
    assert list(decision.evidence_relied_on.all()) == [relied]
    page = console_client.get(page_url(under_review)).content.decode()
    block = page.split('data-testid="console-decision"')[1]
    assert "¥40.00" in block
    assert "The crack shows in two angles." in block
    assert 'data-testid="refund-status"' in block
    assert 'data-testid="decision-form"' not in page


def test_it_takes_a_partial_amount_in_yuan(console_client, under_review):
    response = decide(console_client, under_review, outcome="partial_refund", amount="25.50")
    assert response.status_code == 302
    assert Decision.objects.get(dispute=under_review).amount_fen == 2550


def test_it_closes_a_dispute_decided_with_no_refund(console_client, under_review):
    response = decide(console_client, under_review, outcome="no_refund", percent="40")
    assert response.status_code == 302
    under_review.refresh_from_db()
    assert under_review.state == Dispute.State.CLOSED
    assert under_review.decision.amount_fen == 0


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "partial_refund", "percent": "40", "reasoning": ""},
        {"outcome": "partial_refund", "percent": "40", "reasoning": "   "},
        {"outcome": "partial_refund", "amount": "0"},
        {"outcome": "partial_refund", "percent": "0"},
        {"outcome": "partial_refund", "amount": "100.00"},
        {"outcome": "partial_refund"},
        {"outcome": "partial_refund", "amount": "10", "percent": "10"},
        {"outcome": "partial_refund", "amount": "ten"},
        {"outcome": "everything"},
        {"outcome": "full_refund", "evidence": ["999999"]},
    ],
)
def test_it_rejects_bad_decision_input_and_changes_nothing(console_client, under_review, data):
    response = decide(console_client, under_review, **data)
    assert response.status_code == 400
    assert 'data-testid="decision-error"' in response.content.decode()
    assert_unchanged(under_review)


def test_it_rejects_evidence_from_another_dispute(console_client, under_review, outsider):
    from arbitration import services
    from tests.factories import OrderFactory

    other = services.dispute_open(
        order=OrderFactory(buyer=outsider, merchant=under_review.merchant),
        buyer=outsider,
        reason="damaged",
        remedy="refund_only",
        description="Broken.",
        files=[jpeg_upload()],
    )
    foreign = other.evidence.get()
    response = decide(console_client, under_review, outcome="full_refund", evidence=[foreign.pk])
    assert response.status_code == 400
    assert_unchanged(under_review)


def test_it_answers_409_when_the_dispute_is_not_under_review(console_client, dispute):
    response = decide(console_client, dispute, outcome="full_refund")
    assert response.status_code == 409
    assert "Cannot decide a dispute that is awaiting merchant" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert not Decision.objects.filter(dispute=dispute).exists()


def test_it_answers_409_to_a_second_decision(console_client, under_review):
    assert (
        decide(console_client, under_review, outcome="partial_refund", percent="40").status_code
        == 302
    )
    response = decide(console_client, under_review, outcome="full_refund")
    assert response.status_code == 409
    assert Decision.objects.get(dispute=under_review).amount_fen == 4000


@pytest.mark.parametrize("who", ["buyer", "merchant"])
def test_it_refuses_a_decision_posted_by_a_party(client, request, under_review, who):
    party: Party = request.getfixturevalue(who)
    client.force_login(party.user)
    response = decide(client, under_review, outcome="full_refund")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")
    assert_unchanged(under_review)


def test_it_redirects_from_a_dispute_that_does_not_exist(console_client):
    response = console_client.get("/console/arbitration/dispute/987654/change/")
    assert response.status_code == 302
