"""The console decides returns, replacements and line refunds, and asks parties for evidence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from arbitration.models import Decision, EvidenceRequest, RefundLine
from webhooks.models import WebhookEvent

from .conftest import page_url

LINES = [
    {"sku": "MUG-1", "title": "Mug", "quantity": 3, "unit_price_fen": 2000},
    {"sku": "TEA-1", "title": "Tea", "quantity": 1, "unit_price_fen": 4000},
]


@pytest.fixture
def basket(under_review):
    under_review.order.items = LINES
    under_review.order.amount_fen = 10000
    under_review.order.save()
    return under_review


def state_of(dispute):
    dispute.refresh_from_db()
    return dispute.state


def test_the_decide_form_offers_every_remedy_and_a_line_picker(console_client, basket):
    page = console_client.get(page_url(basket)).content.decode()

    assert 'value="replacement"' in page and 'value="return_and_refund"' in page
    assert 'data-testid="line-picker"' in page and 'name="line_1_quantity"' in page


def test_a_replacement_decided_in_the_console_waits_for_the_merchant(console_client, basket):
    response = console_client.post(
        page_url(basket), {"outcome": "replacement", "reasoning": "A new mug."}
    )

    assert response.status_code == 302
    assert Decision.objects.get().outcome == "replacement"
    assert state_of(basket) == "awaiting_replacement"


def test_line_refunds_decided_in_the_console(console_client, basket):
    response = console_client.post(
        page_url(basket),
        {
            "outcome": "partial_refund",
            "reasoning": "Two mugs broken.",
            "line_0_quantity": "2",
            "line_0_reason": "damaged",
            "line_1_quantity": "1",
            "line_1_amount": "10",
            "line_1_reason": "not_as_described",
        },
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.amount_fen == 5000
    assert list(decision.lines.values_list("line_index", "quantity", "amount_fen")) == [
        (0, 2, 4000),
        (1, 1, 1000),
    ]
    page = console_client.get(page_url(basket)).content.decode()
    assert 'data-testid="console-refund-lines"' in page


def test_an_over_refunded_line_in_the_console_is_a_400_and_changes_nothing(console_client, basket):
    response = console_client.post(
        page_url(basket),
        {
            "outcome": "partial_refund",
            "reasoning": "r",
            "line_1_quantity": "1",
            "line_1_amount": "40.01",
            "line_1_reason": "damaged",
        },
    )

    assert response.status_code == 400
    assert "at most ¥40.00" in response.content.decode()
    assert state_of(basket) == "under_review"
    assert not Decision.objects.exists() and not RefundLine.objects.exists()


def request_data(**kw):
    due = timezone.localtime() + timedelta(days=1)
    return {
        "request_evidence": "1",
        "side": "merchant",
        "what": "The courier's weight record.",
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        **kw,
    }


def test_the_arbitrator_asks_a_party_for_evidence(console_client, under_review):
    response = console_client.post(page_url(under_review), request_data())

    assert response.status_code == 302
    request = EvidenceRequest.objects.get()
    assert (request.side, request.status, request.requested_by.username) == (
        "merchant",
        "open",
        "judge",
    )
    assert WebhookEvent.objects.filter(type="dispute.evidence_requested").count() == 1
    page = console_client.get(page_url(under_review)).content.decode()
    assert 'data-testid="evidence-request-merchant"' in page
    assert 'data-testid="review-paused"' in page
    assert state_of(under_review) == "under_review"
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [{"due_at": "tomorrow"}, {"what": ""}, {"side": "arbitrator"}, {"due_at": "2020-01-01T10:00"}],
)
def test_a_bad_request_in_the_console_is_a_400_and_sends_nothing(console_client, under_review, bad):
    response = console_client.post(page_url(under_review), request_data(**bad))

    assert response.status_code == 400
    assert 'data-testid="request-error"' in response.content.decode()
    assert not EvidenceRequest.objects.exists()
    assert not WebhookEvent.objects.filter(type="dispute.evidence_requested").exists()


def test_no_request_once_the_dispute_is_decided(console_client, under_review):
    console_client.post(page_url(under_review), {"outcome": "no_refund", "reasoning": "r"})

    response = console_client.post(page_url(under_review), request_data())

    assert response.status_code == 409
    assert not EvidenceRequest.objects.exists()


def test_the_queue_shows_the_review_clock_of_disputes_under_review(console_client, under_review):
    from .conftest import QUEUE

    row = console_client.get(QUEUE).content.decode()
    assert 'data-testid="queue-review-due"' in row and "paused" not in row

    console_client.post(page_url(under_review), request_data())

    assert "review paused" in console_client.get(QUEUE).content.decode()
