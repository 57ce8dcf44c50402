"""The details a person notices: their own name in the header, error pages in their
language with a way back, the unread badge after "mark all read", a partial refund with an
amount, and a finished dispute's order saying so before the form is filled in."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from arbitration import services
from arbitration.models import Dispute
from notifications.models import Notification
from notifications.services import notification_create

from .conftest import HTMX, client_for

pytestmark = pytest.mark.django_db


def test_a_hosted_link_party_is_greeted_by_name(buyer):
    buyer.user.username = "buyer-4-ece3ac64"
    buyer.user.save()
    html = client_for(buyer.user).get(reverse("buyer_orders")).content.decode()
    assert f'data-testid="current-user">{buyer.display_name}<' in html
    assert "buyer-4-ece3ac64" not in html


def test_a_missing_page_is_localised_with_a_way_back(buyer_client):
    buyer_client.cookies["django_language"] = "zh-hans"
    response = buyer_client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and 'data-testid="error-home"' in html
    assert 'name="viewport"' in html


def test_another_partys_dispute_is_a_404_page_not_a_bare_error(outsider_client, dispute):
    response = outsider_client.get(reverse("dispute", args=[dispute.pk]))
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_the_server_error_page_stands_alone():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500 and "出错了" in html and 'href="/"' in html


def test_mark_all_read_updates_the_badge(buyer_client, dispute, buyer):
    notification_create(
        recipient=buyer,
        kind=Notification.Kind.OFFER_MADE,
        dedupe_key="test",
        context={"reference": dispute.reference},
        dispute=dispute,
    )
    before = buyer_client.get(reverse("notifications")).content.decode()
    assert 'data-testid="unread-count"' in before
    response = buyer_client.post(reverse("notifications_mark_all_read"), **HTMX)
    html = response.content.decode()
    assert '<span id="unread-badge" hx-swap-oob="true"' in html
    assert 'data-testid="unread-count"' not in html


def test_a_partial_refund_claim_needs_an_amount(buyer_client, order):
    response = buyer_client.post(
        reverse("dispute_open", args=[order.pk]),
        {"reason": "not_received", "remedy": "partial_refund", "description": "Half missing."},
    )
    assert response.status_code == 400
    assert "A partial refund needs the amount you ask for." in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_finished_disputes_order_says_so_on_get(buyer_client, dispute, merchant):
    services.merchant_accept_claim(dispute=dispute, party=merchant)
    response = buyer_client.get(reverse("dispute_open", args=[dispute.order.pk]))
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="dispute-settled"' in html and 'data-testid="dispute-form"' not in html
    assert dispute.reference in html
