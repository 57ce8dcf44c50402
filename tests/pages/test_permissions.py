"""Object-level permissions: another party's dispute or order is simply not there (404)."""

import pytest
from django.urls import reverse

from arbitration import services
from arbitration.models import Dispute, Offer
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory, PartyFactory

from .conftest import HTMX, client_for

pytestmark = pytest.mark.django_db

DISPUTE_POSTS = [
    "offer_make",
    "offer_accept",
    "offer_reject",
    "dispute_escalate",
    "dispute_withdraw",
    "merchant_respond",
    "merchant_accept_claim",
    "merchant_report",
    "evidence_upload",
]


@pytest.fixture
def other_dispute(outsider, merchant):
    """Buyer B's own dispute with the same merchant."""
    order = OrderFactory(buyer=outsider, merchant=merchant)
    return services.dispute_open(
        order=order,
        buyer=outsider,
        reason="damaged",
        remedy="refund_only",
        description="Mine too.",
        files=[jpeg_upload()],
    )


def test_buyer_a_cannot_see_buyer_bs_dispute(buyer_client, other_dispute):
    response = buyer_client.get(reverse("dispute", kwargs={"pk": other_dispute.pk}))
    assert response.status_code == 404


@pytest.mark.parametrize("name", DISPUTE_POSTS)
def test_an_outsider_cannot_act_on_a_dispute(outsider_client, dispute, name):
    before = list(dispute.events.values_list("pk", flat=True))
    response = outsider_client.post(
        reverse(name, kwargs={"pk": dispute.pk}),
        {"statement": "x", "category": "other", "mode": "percent", "percent": "10"},
        **HTMX,
    )
    assert response.status_code == 404
    assert list(dispute.events.values_list("pk", flat=True)) == before


@pytest.mark.parametrize("name", ["merchant_respond", "merchant_accept_claim", "merchant_report"])
def test_a_buyer_cannot_use_the_merchants_moves(buyer_client, dispute, name):
    response = buyer_client.post(
        reverse(name, kwargs={"pk": dispute.pk}), {"statement": "x", "category": "other"}
    )
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert dispute.merchant_statement == ""


def test_a_merchant_cannot_withdraw_for_the_buyer(merchant_client, dispute):
    response = merchant_client.post(reverse("dispute_withdraw", kwargs={"pk": dispute.pk}))
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.AWAITING_MERCHANT


def test_a_merchant_sees_only_its_own_disputes(platform, dispute, buyer):
    rival = PartyFactory(platform=platform, kind="merchant", display_name="Rival Store")
    rival_client = client_for(rival.user)
    assert rival_client.get(reverse("dispute", kwargs={"pk": dispute.pk})).status_code == 404
    html = rival_client.get(reverse("merchant_inbox")).content.decode()
    assert f"inbox-row-{dispute.pk}" not in html
    mine = OrderFactory(buyer=buyer, merchant=rival)
    mine_dispute = services.dispute_open(
        order=mine, buyer=buyer, reason="other", remedy="refund_only", description="Late."
    )
    html = rival_client.get(reverse("merchant_inbox")).content.decode()
    assert f"inbox-row-{mine_dispute.pk}" in html


def test_a_merchant_cannot_upload_listing_photos_to_anothers_order(platform, order):
    rival = PartyFactory(platform=platform, kind="merchant")
    response = client_for(rival.user).post(
        reverse("listing_photos_upload", kwargs={"order_id": order.pk}),
        {"files": [jpeg_upload()]},
    )
    assert response.status_code == 404
    assert not order.evidence.exists()


def test_a_buyer_cannot_open_a_dispute_on_anothers_order(outsider_client, order):
    url = reverse("dispute_open", kwargs={"order_id": order.pk})
    assert outsider_client.get(url).status_code == 404
    response = outsider_client.post(
        url, {"reason": "other", "remedy": "refund_only", "description": "Mine now."}
    )
    assert response.status_code == 404
    assert not Dispute.objects.exists()


def test_my_orders_lists_only_the_buyers_own(outsider_client, order):
    html = outsider_client.get(reverse("buyer_orders")).content.decode()
    assert order.external_id not in html


def test_an_outsider_cannot_see_offers_of_anothers_dispute(outsider_client, offered):
    url = reverse("dispute", kwargs={"pk": offered.pk})
    assert outsider_client.get(url, **HTMX).status_code == 404
    assert offered.offers.get().status == Offer.Status.PENDING


@pytest.mark.parametrize(
    "url",
    ["buyer_orders", "merchant_inbox", "merchant_orders"],
)
def test_pages_ask_anonymous_visitors_to_log_in(client, url):
    response = client.get(reverse(url))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dispute_page_asks_anonymous_visitors_to_log_in(client, dispute):
    response = client.get(reverse("dispute", kwargs={"pk": dispute.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_post_without_a_csrf_token_is_refused(buyer, offered):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer.user)
    response = strict.post(reverse("offer_accept", kwargs={"pk": offered.pk}))
    assert response.status_code == 403
    assert offered.offers.get().status == Offer.Status.PENDING
