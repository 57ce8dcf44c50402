"""The buyer's pages: my orders, opening a dispute, answering offers, seeing the decision."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arbitration import services
from arbitration.models import Dispute, Offer
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def open_url(order):
    return reverse("dispute_open", kwargs={"order_id": order.pk})


def claim(**overrides):
    data = {
        "reason": "damaged",
        "remedy": "refund_only",
        "claimed_amount": "",
        "description": "The handle came off.",
        "files": [jpeg_upload("crack.jpg")],
    }
    data.update(overrides)
    return data


def test_home_sends_a_buyer_to_my_orders(buyer_client):
    response = buyer_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("buyer_orders")


def test_home_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_orders_lists_the_buyers_orders_with_dispute_badges(buyer_client, order, dispute):
    other = OrderFactory(buyer=order.buyer, merchant=order.merchant, external_id="ORD-FRESH")
    html = buyer_client.get(reverse("buyer_orders")).content.decode()
    assert order.external_id in html
    assert f'data-testid="order-state-{order.external_id}"' in html
    assert f'data-testid="open-dispute-{other.external_id}"' in html
    # An order with a dispute still running offers no second one.
    assert f'data-testid="open-dispute-{order.external_id}"' not in html


def test_it_opens_a_dispute_with_a_real_jpeg_and_shows_it(buyer_client, order):
    response = buyer_client.post(open_url(order), claim(claimed_amount="60.50"))
    dispute = Dispute.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == reverse("dispute", kwargs={"pk": dispute.pk})
    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert dispute.claimed_amount_fen == 6050
    item = Evidence.objects.get(dispute=dispute)
    page = buyer_client.get(response["Location"]).content.decode()
    assert reverse("evidence_file", kwargs={"uid": item.uid}) in page
    assert "¥60.50" in page
    assert 'data-testid="timeline"' in page


def test_an_htmx_open_redirects_the_browser_to_the_dispute(buyer_client, order):
    response = buyer_client.post(open_url(order), claim(), **HTMX)
    dispute = Dispute.objects.get(order=order)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("dispute", kwargs={"pk": dispute.pk})


def test_an_empty_amount_claims_what_was_paid(buyer_client, order):
    buyer_client.post(open_url(order), claim())
    assert Dispute.objects.get(order=order).claimed_amount_fen == order.amount_fen


@pytest.mark.parametrize("amount", ["12.345", "abc", "-5", "1e3", "12,34.5.6"])
def test_it_rejects_a_badly_written_amount(buyer_client, order, amount):
    response = buyer_client.post(open_url(order), claim(claimed_amount=amount))
    assert response.status_code == 400
    assert "at most two decimals" in response.content.decode()
    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()


def test_it_rejects_an_amount_above_what_was_paid(buyer_client, order):
    response = buyer_client.post(open_url(order), claim(claimed_amount="100.01"))
    assert response.status_code == 400
    assert "at most what you paid" in response.content.decode()
    assert not Dispute.objects.exists()


def test_it_rejects_a_damaged_claim_without_photos(buyer_client, order):
    response = buyer_client.post(open_url(order), claim(files=[]), **HTMX)
    assert response.status_code == 400
    assert "Add at least one photo or video" in response.content.decode()
    assert 'data-testid="dispute-form"' in response.content.decode()
    assert not Dispute.objects.exists()


def test_it_rejects_a_text_file_named_jpg_and_stores_nothing(buyer_client, order):
    fake = SimpleUploadedFile("crack.jpg", b"just some text, honestly", content_type="image/jpeg")
    response = buyer_client.post(open_url(order), claim(files=[jpeg_upload(), fake]))
    assert response.status_code == 400
    assert "crack.jpg: This file is not a supported photo or video." in response.content.decode()
    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()


def test_the_dispute_page_shows_the_pending_offer_with_its_answers(buyer_client, offered):
    html = buyer_client.get(reverse("dispute", kwargs={"pk": offered.pk})).content.decode()
    assert "¥30.00" in html
    for testid in ("offer-accept", "offer-reject", "counter-form", "escalate", "withdraw"):
        assert f'data-testid="{testid}"' in html
    assert 'data-testid="offer-form"' not in html  # a buyer counters, it does not offer


def test_the_page_without_an_offer_shows_no_offer_buttons(buyer_client, dispute):
    html = buyer_client.get(reverse("dispute", kwargs={"pk": dispute.pk})).content.decode()
    assert 'data-testid="offer-accept"' not in html
    assert 'data-testid="counter-form"' not in html
    assert 'data-testid="withdraw"' in html


def test_htmx_gets_the_partial_and_a_plain_request_the_full_page(buyer_client, dispute):
    url = reverse("dispute", kwargs={"pk": dispute.pk})
    full = buyer_client.get(url)
    partial = buyer_client.get(url, **HTMX)
    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'id="dispute-body"' in partial.content.decode()
    assert "HX-Request" in full["Vary"] and "HX-Request" in partial["Vary"]


def test_accepting_the_offer_over_htmx_settles_and_shows_the_decision(buyer_client, offered):
    response = buyer_client.post(reverse("offer_accept", kwargs={"pk": offered.pk}), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert "<html" not in html
    assert 'data-testid="decision"' in html
    assert "¥30.00" in html
    offered.refresh_from_db()
    assert offered.state in (Dispute.State.DECIDED, Dispute.State.REFUNDED)


def test_rejecting_the_offer_over_htmx_returns_the_partial(buyer_client, offered):
    response = buyer_client.post(reverse("offer_reject", kwargs={"pk": offered.pk}), **HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert 'data-testid="offer-accept"' not in response.content.decode()
    assert offered.offers.get().status == Offer.Status.REJECTED


def test_countering_over_htmx_sends_a_new_amount(buyer_client, offered):
    response = buyer_client.post(
        reverse("offer_make", kwargs={"pk": offered.pk}),
        {"mode": "amount", "amount": "55", "message": "Half is fair."},
        **HTMX,
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    counter = offered.offers.get(status=Offer.Status.PENDING)
    assert (counter.amount_fen, counter.made_by_id) == (5500, offered.buyer_id)
    assert "Half is fair." in response.content.decode()


def test_a_counter_above_the_price_is_a_400_with_the_message(buyer_client, offered):
    response = buyer_client.post(
        reverse("offer_make", kwargs={"pk": offered.pk}),
        {"mode": "amount", "amount": "150"},
        **HTMX,
    )
    assert response.status_code == 400
    assert "cannot exceed what the buyer paid" in response.content.decode()
    assert offered.offers.get().status == Offer.Status.PENDING


def test_answering_an_offer_that_has_lapsed_is_a_409(buyer_client, offered, merchant):
    services.dispute_escalate(dispute=offered, party=merchant, user=merchant.user)
    response = buyer_client.post(reverse("offer_accept", kwargs={"pk": offered.pk}), **HTMX)
    assert response.status_code == 409
    assert "no offer waiting for your answer" in response.content.decode()


def test_a_move_the_state_no_longer_allows_is_a_409(buyer_client, offered, merchant):
    services.dispute_escalate(dispute=offered, party=merchant, user=merchant.user)
    response = buyer_client.post(reverse("dispute_escalate", kwargs={"pk": offered.pk}), **HTMX)
    assert response.status_code == 409
    assert "no longer possible: the dispute is now under review" in response.content.decode()
    assert offered.events.filter(action="escalate").count() == 1


def test_escalating_hands_the_dispute_to_an_arbitrator(buyer_client, offered):
    response = buyer_client.post(
        reverse("dispute_escalate", kwargs={"pk": offered.pk}), {"statement": "Too low."}
    )
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.state == Dispute.State.UNDER_REVIEW
    html = buyer_client.get(response["Location"]).content.decode()
    assert "asked an arbitrator to decide" in html
    assert "Too low." in html


def test_withdrawing_ends_the_dispute(buyer_client, dispute):
    buyer_client.post(reverse("dispute_withdraw", kwargs={"pk": dispute.pk}))
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.WITHDRAWN


def test_the_buyer_sees_the_arbitrators_decision(buyer_client, offered, arbitrator, buyer):
    services.offer_reject(dispute=offered, party=buyer, user=buyer.user)
    services.dispute_escalate(dispute=offered, party=buyer, user=buyer.user)
    services.dispute_decide(
        dispute=offered,
        user=arbitrator,
        outcome="partial_refund",
        percent=40,
        reasoning="The crack is real but small.",
    )
    html = buyer_client.get(reverse("dispute", kwargs={"pk": offered.pk})).content.decode()
    assert 'data-testid="decision"' in html
    assert "¥40.00" in html
    assert "The crack is real but small." in html
    assert 'data-testid="refund-status"' in html


def test_the_buyer_adds_more_evidence_over_htmx(buyer_client, dispute):
    response = buyer_client.post(
        reverse("evidence_upload", kwargs={"pk": dispute.pk}),
        {"files": [jpeg_upload("side.jpg"), jpeg_upload("top.jpg")], "caption": "More angles"},
        **HTMX,
    )
    assert response.status_code == 200
    assert Evidence.objects.filter(dispute=dispute).count() == 3
    assert "More angles" in response.content.decode()


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_my_orders_and_the_dispute_page_do_not_query_per_row(buyer_client, dispute, buyer):
    """More orders, evidence and timeline rows must not add queries (no N+1)."""
    urls = [reverse("buyer_orders"), reverse("dispute", kwargs={"pk": dispute.pk})]
    before = [_count_queries(buyer_client, url) for url in urls]
    for _ in range(3):
        OrderFactory(buyer=buyer, merchant=dispute.merchant)
        services.party_add_evidence(dispute=dispute, party=buyer, files=[jpeg_upload()])
    assert [_count_queries(buyer_client, url) for url in urls] == before
