"""The negotiation record (协商记录): offers, counter-offers, their messages and the answers
to them stay on the page, with amounts, after the offer is answered."""

import re

import pytest
from django.urls import reverse

from arbitration import services
from arbitration.negotiation import thread

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def entries(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="thread-entry" data-kind="(\w+)" data-side="(\w+)"', html)


def test_a_rejected_offer_keeps_its_message_and_the_reason(dispute, merchant, buyer, buyer_client):
    services.offer_make(
        dispute=dispute, party=merchant, amount_fen=3000, message="Small chip only."
    )
    response = buyer_client.post(
        reverse("offer_reject", args=[dispute.pk]), {"message": "It is cracked through."}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert entries(html) == [("offer", "merchant"), ("rejected", "buyer")]
    assert "Small chip only." in html and "It is cracked through." in html
    assert "¥30.00" in html


def test_counter_offers_and_acceptance_read_in_order(dispute, merchant, buyer, merchant_client):
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000, message="30 yuan?")
    services.offer_make(dispute=dispute, party=buyer, amount_fen=6000, message="60 please.")
    services.offer_accept(dispute=dispute, party=merchant)
    dispute.refresh_from_db()
    assert [(e.kind, e.side) for e in thread(dispute)] == [
        ("offer", "merchant"),
        ("counter", "buyer"),
        ("accepted", "merchant"),
    ]
    html = merchant_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert "30 yuan?" in html and "60 please." in html
    assert "Accepted the offer of ¥60.00" in html
    assert 'class="bubble from-merchant is-mine kind-offer"' in html


def test_a_rejection_without_a_reason_is_still_recorded(dispute, merchant, buyer_client):
    services.offer_make(dispute=dispute, party=merchant, amount_fen=1000)
    buyer_client.post(reverse("offer_reject", args=[dispute.pk]), {}, **HTMX)
    html = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert entries(html) == [("offer", "merchant"), ("rejected", "buyer")]


def test_no_thread_before_any_offer(dispute, buyer_client):
    html = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert 'data-testid="negotiation-thread"' not in html
