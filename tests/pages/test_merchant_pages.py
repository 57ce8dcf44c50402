"""The merchant's pages: inbox, the dispute page, offers, responses, reports, listing photos."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MerchantReport
from arbitration import services
from arbitration.models import Dispute, Offer
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def page(client, dispute) -> str:
    return client.get(reverse("dispute", kwargs={"pk": dispute.pk})).content.decode()


def test_home_sends_a_merchant_to_the_inbox(merchant_client):
    assert merchant_client.get("/")["Location"] == reverse("merchant_inbox")


def test_home_sends_an_arbitrator_to_the_console(arbitrator_client):
    assert arbitrator_client.get("/")["Location"] == reverse("console:index")


def test_the_inbox_shows_deadline_and_whose_move(merchant_client, dispute):
    html = merchant_client.get(reverse("merchant_inbox")).content.decode()
    assert f'data-testid="inbox-row-{dispute.pk}"' in html
    assert "Your move" in html
    local = timezone.localtime(dispute.deadline_at)
    assert local.strftime("%Y-%m-%d %H:%M") in html  # Asia/Shanghai, absolute
    assert 'data-testid="deadline-relative">in 2 days<' in html  # and relative


def test_the_inbox_highlights_an_overdue_dispute(merchant_client, dispute):
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=timezone.now() - timedelta(hours=2))
    html = merchant_client.get(reverse("merchant_inbox")).content.decode()
    assert "is-overdue" in html
    assert "overdue" in html


def test_the_inbox_sorts_by_deadline_soonest_first(merchant_client, dispute, buyer, merchant):
    later = OrderFactory(buyer=buyer, merchant=merchant)
    second = services.dispute_open(
        order=later, buyer=buyer, reason="other", remedy="refund_only", description="Late."
    )
    Dispute.objects.filter(pk=second.pk).update(deadline_at=timezone.now() + timedelta(hours=1))
    html = merchant_client.get(reverse("merchant_inbox") + "?sort=deadline").content.decode()
    assert html.index(f"inbox-row-{second.pk}") < html.index(f"inbox-row-{dispute.pk}")
    html = merchant_client.get(reverse("merchant_inbox") + "?sort=-opened").content.decode()
    assert html.index(f"inbox-row-{second.pk}") < html.index(f"inbox-row-{dispute.pk}")


def test_the_merchant_sees_a_masked_phone_and_the_city_only(merchant_client, dispute, buyer):
    html = page(merchant_client, dispute)
    assert "138****1234" in html
    assert "上海" in html
    assert buyer.phone not in html
    assert buyer.address not in html
    assert "浦东" not in html


def test_the_merchant_page_shows_the_merchant_moves(merchant_client, dispute):
    html = page(merchant_client, dispute)
    for testid in ("offer-form", "respond-form", "report-form", "evidence-upload", "escalate"):
        assert f'data-testid="{testid}"' in html
    assert 'data-testid="accept-claim"' in html
    assert 'data-testid="withdraw"' not in html  # only the buyer withdraws


def test_the_merchant_responds(merchant_client, dispute):
    response = merchant_client.post(
        reverse("merchant_respond", kwargs={"pk": dispute.pk}),
        {"statement": "It left our warehouse intact."},
        **HTMX,
    )
    assert response.status_code == 200
    dispute.refresh_from_db()
    assert dispute.merchant_statement == "It left our warehouse intact."
    assert "responded to the claim" in response.content.decode()


def test_an_empty_response_is_a_400(merchant_client, dispute):
    response = merchant_client.post(
        reverse("merchant_respond", kwargs={"pk": dispute.pk}), {"statement": ""}, **HTMX
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_merchant_offers_a_percentage(merchant_client, dispute):
    response = merchant_client.post(
        reverse("offer_make", kwargs={"pk": dispute.pk}),
        {"mode": "percent", "percent": "30", "amount": "", "message": "Sorry about that."},
        **HTMX,
    )
    assert response.status_code == 200
    offer = dispute.offers.get()
    assert (offer.amount_fen, offer.percent, offer.status) == (3000, 30, Offer.Status.PENDING)
    html = response.content.decode()
    assert "¥30.00" in html
    assert "Waiting for the other side to answer." in html
    assert 'data-testid="offer-form"' not in html  # one pending offer at a time


def test_the_merchant_offers_an_amount(merchant_client, dispute):
    merchant_client.post(
        reverse("offer_make", kwargs={"pk": dispute.pk}), {"mode": "amount", "amount": "25.5"}
    )
    assert dispute.offers.get().amount_fen == 2550


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "percent", "percent": "0"}, "greater than or equal to 1"),
        ({"mode": "percent", "percent": ""}, "Enter a percentage between 1 and 100."),
        ({"mode": "amount", "amount": "0.001"}, "at most two decimals"),
        ({"mode": "amount", "amount": "100"}, "less than the ¥100.00 paid"),
    ],
)
def test_it_rejects_a_bad_offer(merchant_client, dispute, data, message):
    response = merchant_client.post(reverse("offer_make", kwargs={"pk": dispute.pk}), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not dispute.offers.exists()


def test_the_merchant_answers_the_buyers_counter(merchant_client, offered, buyer):
    services.offer_make(dispute=offered, party=buyer, amount_fen=6000, user=buyer.user)
    html = page(merchant_client, offered)
    assert 'data-testid="offer-accept"' in html
    assert "¥60.00" in html
    response = merchant_client.post(reverse("offer_accept", kwargs={"pk": offered.pk}), **HTMX)
    assert response.status_code == 200
    assert offered.offers.get(status=Offer.Status.ACCEPTED).amount_fen == 6000


def test_the_merchant_accepts_the_claim(merchant_client, dispute):
    merchant_client.post(reverse("merchant_accept_claim", kwargs={"pk": dispute.pk}))
    dispute.refresh_from_db()
    assert dispute.state in (Dispute.State.DECIDED, Dispute.State.REFUNDED)
    assert dispute.decision.amount_fen == dispute.claimed_amount_fen


def test_the_merchant_reports_the_buyer(merchant_client, dispute):
    response = merchant_client.post(
        reverse("merchant_report", kwargs={"pk": dispute.pk}),
        {"category": "fabricated_evidence", "statement": "The crack is drawn on."},
        **HTMX,
    )
    assert response.status_code == 200
    report = MerchantReport.objects.get()
    assert (report.category, report.statement) == ("fabricated_evidence", "The crack is drawn on.")
    assert 'data-testid="report-form"' not in response.content.decode()


def test_a_second_report_is_refused(merchant_client, dispute, merchant):
    services.merchant_report_buyer(
        dispute=dispute, party=merchant, category="other", statement="Rude."
    )
    response = merchant_client.post(
        reverse("merchant_report", kwargs={"pk": dispute.pk}),
        {"category": "other", "statement": "Again."},
    )
    assert response.status_code == 400
    assert "already reported" in response.content.decode()
    assert MerchantReport.objects.count() == 1


def test_the_buyer_never_sees_the_report(buyer_client, dispute, merchant):
    services.merchant_report_buyer(
        dispute=dispute, party=merchant, category="harassment", statement="Threats."
    )
    html = page(buyer_client, dispute)
    assert "reported the buyer" not in html
    assert "Threats." not in html


def test_the_merchant_uploads_counter_evidence(merchant_client, dispute):
    response = merchant_client.post(
        reverse("evidence_upload", kwargs={"pk": dispute.pk}),
        {"files": [jpeg_upload("packing.jpg")], "caption": "Packed with foam"},
        **HTMX,
    )
    assert response.status_code == 200
    item = Evidence.objects.get(dispute=dispute, role=Evidence.Role.MERCHANT)
    assert reverse("evidence_file", kwargs={"uid": item.uid}) in response.content.decode()


def test_the_merchant_uploads_listing_photos_and_sees_them(merchant_client, order):
    url = reverse("listing_photos_upload", kwargs={"order_id": order.pk})
    response = merchant_client.post(url, {"files": [jpeg_upload("listing.jpg")]}, **HTMX)
    assert response.status_code == 200
    item = Evidence.objects.get(order=order, role=Evidence.Role.LISTING)
    assert item.dispute is None
    html = merchant_client.get(reverse("merchant_orders")).content.decode()
    assert reverse("evidence_file", kwargs={"uid": item.uid}) in html


def test_a_bad_listing_photo_is_a_400_and_stores_nothing(merchant_client, order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("listing.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    url = reverse("listing_photos_upload", kwargs={"order_id": order.pk})
    response = merchant_client.post(url, {"files": [fake]})
    assert response.status_code == 400
    assert "not a supported photo or video" in response.content.decode()
    assert not Evidence.objects.exists()


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_do_not_query_per_row(merchant_client, dispute, buyer, merchant):
    """Adding disputes, orders and photos must not add queries (no N+1)."""
    urls = [reverse("merchant_inbox"), reverse("merchant_orders")]
    before = [_count_queries(merchant_client, url) for url in urls]
    for _ in range(3):
        more = OrderFactory(buyer=buyer, merchant=merchant)
        evidence_add_listing(more, merchant)
        services.dispute_open(
            order=more, buyer=buyer, reason="other", remedy="refund_only", description="Late."
        )
    assert [_count_queries(merchant_client, url) for url in urls] == before


def evidence_add_listing(order, merchant):
    from evidence.services import evidence_add

    evidence_add(order=order, party=merchant, files=[jpeg_upload()], role="listing")
