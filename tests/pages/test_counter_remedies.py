"""The buyer's counter-offer on the dispute page offers the same remedies as the merchant's
offer: a partial refund by amount, percent or order lines, a return, or a replacement."""

import pytest
from django.urls import reverse

from arbitration import services
from arbitration.models import Offer
from tests.factories import OrderFactory

from .conftest import HTMX

LINES = [
    {"sku": "MUG-1", "title": "Mug", "quantity": 3, "unit_price_fen": 2000},
    {"sku": "TEA-1", "title": "Tea", "quantity": 1, "unit_price_fen": 5000},
]


def url(name, dispute):
    return reverse(name, kwargs={"pk": dispute.pk})


@pytest.fixture
def offered(buyer, merchant):
    """A two-line order; the merchant has offered ¥20; the buyer's move."""
    order = OrderFactory(buyer=buyer, merchant=merchant, items=LINES, amount_fen=11000)
    dispute = services.dispute_open(
        order=order, buyer=buyer, reason="not_received", remedy="refund_only", description="x"
    )
    services.offer_make(dispute=dispute, party=merchant, amount_fen=2000, user=merchant.user)
    dispute.refresh_from_db()
    return dispute


def counter(dispute):
    return dispute.offers.get(status=Offer.Status.PENDING)


def counter_form(html):
    start = html.index('data-testid="counter-form"')
    return html[start : html.index("</form>", start)]


def test_the_counter_form_offers_every_remedy_and_the_line_picker(buyer_client, offered):
    form = counter_form(buyer_client.get(url("dispute", offered)).content.decode())
    for remedy in ("partial_refund", "return_and_refund", "replacement"):
        assert f'value="{remedy}"' in form
    for mode in ("amount", "percent", "lines"):
        assert f'data-mode-field="{mode}"' in form
    assert 'data-testid="line-picker"' in form
    assert 'name="line_1_quantity"' in form
    assert 'id="counter-line_1_quantity"' in form  # ids of its own, apart from other forms
    assert "the merchant sends a new item" in form


def test_the_buyer_counters_with_line_refunds(buyer_client, merchant_client, offered):
    response = buyer_client.post(
        url("offer_make", offered),
        {
            "remedy": "partial_refund",
            "mode": "lines",
            "line_0_quantity": "2",
            "line_0_reason": "damaged",
            "line_1_quantity": "1",
            "line_1_amount": "10",
            "line_1_reason": "not_as_described",
            "message": "Two mugs broke, the tea is stale.",
        },
        **HTMX,
    )
    assert response.status_code == 200
    offer = counter(offered)
    assert (offer.made_by_id, offer.remedy, offer.amount_fen) == (
        offered.buyer_id,
        "partial_refund",
        5000,
    )
    assert list(offer.lines.values_list("line_index", "quantity", "amount_fen", "reason")) == [
        (0, 2, 4000, "damaged"),
        (1, 1, 1000, "not_as_described"),
    ]
    page = merchant_client.get(url("dispute", offered)).content.decode()
    assert 'data-testid="offer-lines"' in page


def test_the_buyer_counters_with_a_return(buyer_client, offered):
    response = buyer_client.post(
        url("offer_make", offered), {"remedy": "return_and_refund", "mode": "amount"}, **HTMX
    )
    assert response.status_code == 200
    offer = counter(offered)
    assert (offer.remedy, offer.amount_fen) == ("return_and_refund", 11000)


def test_the_buyer_counters_with_a_replacement(buyer_client, merchant_client, offered):
    response = buyer_client.post(
        url("offer_make", offered), {"remedy": "replacement", "mode": "amount"}, **HTMX
    )
    assert response.status_code == 200
    assert counter(offered).remedy == "replacement"
    page = merchant_client.get(url("dispute", offered)).content.decode()
    assert 'data-testid="offer-remedy"' in page


def test_a_counter_by_percent(buyer_client, offered):
    response = buyer_client.post(
        url("offer_make", offered),
        {"remedy": "partial_refund", "mode": "percent", "percent": "50"},
        **HTMX,
    )
    assert response.status_code == 200
    assert counter(offered).amount_fen == 5500


def test_an_over_refund_of_a_line_is_a_400_and_changes_nothing(buyer_client, offered):
    response = buyer_client.post(
        url("offer_make", offered),
        {
            "remedy": "partial_refund",
            "mode": "lines",
            "line_1_quantity": "1",
            "line_1_amount": "50.01",
            "line_1_reason": "damaged",
        },
        **HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most ¥50.00" in html
    assert 'data-testid="counter-form"' in html
    assert counter(offered).made_by_id == offered.merchant_id  # still the merchant's offer


def test_an_unknown_remedy_is_a_400(buyer_client, offered):
    response = buyer_client.post(
        url("offer_make", offered),
        {"remedy": "free_money", "mode": "amount", "amount": "5"},
        **HTMX,
    )
    assert response.status_code == 400
    assert counter(offered).made_by_id == offered.merchant_id
