"""The decision form speaks one percentage base, the claim (the suggestion's base too), and
"record and open the next dispute" goes to the next open dispute of the queue."""

import pytest

from arbitration.models import Decision, Dispute
from arbitration.services.common import percent_of

from .conftest import QUEUE, page_url

pytestmark = pytest.mark.django_db


def decide(client, dispute, **data):
    return client.post(page_url(dispute), {"reasoning": "Chipped rim.", **data})


def test_a_percentage_is_of_the_claim_not_of_the_order(console_client, queued):
    dispute = queued("under_review", claimed_yuan=120)  # the order paid ¥1,000
    assert dispute.order.amount_fen == 100000
    response = decide(console_client, dispute, outcome="partial_refund", percent="40")
    assert response.status_code == 302
    assert Decision.objects.get(dispute=dispute).amount_fen == 4800


def test_the_page_names_both_amounts_beside_the_percentage(console_client, queued):
    dispute = queued("under_review", claimed_yuan=120)
    body = console_client.get(page_url(dispute)).content.decode()
    assert "or percent of the claim" in body
    assert "a percent of the ¥120.00 claimed (the order paid ¥1,000.00)" in body
    assert 'data-claimed-fen="12000"' in body


@pytest.mark.parametrize("percent", ["0", "101", "-5", "forty"])
def test_a_percentage_out_of_range_is_refused(console_client, queued, percent):
    dispute = queued("under_review", claimed_yuan=120)
    response = decide(console_client, dispute, outcome="partial_refund", percent=percent)
    assert response.status_code == 400
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.UNDER_REVIEW


def test_percentages_round_half_up_to_the_fen():
    assert percent_of(12345, 50) == 6173  # 61.725 yuan
    assert percent_of(9999, 30) == 3000


def test_decide_and_open_the_next(console_client, queued):
    first = queued("under_review", risk=0.9)
    second = queued("under_review", risk=0.5)
    queued("negotiating", risk=0.99)  # not open work for an arbitrator
    response = decide(console_client, first, outcome="no_refund", _next="1")
    assert response.status_code == 302 and response["Location"] == page_url(second)


def test_decide_and_next_with_nothing_left_goes_to_the_queue(console_client, queued):
    only = queued("under_review")
    response = decide(console_client, only, outcome="no_refund", _next="1")
    assert response.status_code == 302 and response["Location"] == QUEUE


def test_the_evidence_checkboxes_show_thumbnails(console_client, under_review):
    body = console_client.get(page_url(under_review)).content.decode()
    item = under_review.evidence.filter(role="buyer").first()
    assert f'/evidence/{item.uid}/?w=160"' in body


def test_the_refund_lines_are_labelled(console_client, under_review):
    body = console_client.get(page_url(under_review)).content.decode()
    title = under_review.order.items[0]["title"]
    assert f'aria-label="Quantity: {title}"' in body
    assert f'aria-label="Refund (¥): {title}"' in body
