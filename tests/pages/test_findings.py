"""What the parties are told about the forensic findings: a plain note under their OWN
flagged photos, and nothing of the other side's findings, scores, regions or heatmaps."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.fixtures.findings import flagged_dispute

pytestmark = pytest.mark.django_db

EDITED = "This photo appears to have been edited."
REUSED = "The photo is the merchant's listing photo with one area changed."
CLONED = "An area of the photo was copied to another place in it."


@pytest.fixture
def flagged(order, buyer, merchant):
    return flagged_dispute(order, buyer, merchant)


def page(client, dispute) -> str:
    response = client.get(reverse("dispute", kwargs={"pk": dispute.pk}))
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, item) -> str:
    start = html.index(f'data-testid="evidence-{item.uid}"')
    return html[start : html.index("</figure>", start)]


def assert_no_engine_output(html: str):
    for leak in ('data-testid="region"', "/heatmap/", "forgery score", 'data-code="'):
        assert leak not in html


def test_the_buyer_reads_why_their_own_photo_was_flagged(buyer_client, flagged):
    html = page(buyer_client, flagged)
    mine = figure(html, flagged.buyer_item)
    assert 'data-testid="photo-finding"' in mine
    assert EDITED in mine
    assert escape(REUSED) in mine
    assert html.count('data-testid="photo-finding"') == 1
    assert escape(CLONED) not in html
    assert_no_engine_output(html)


def test_the_merchant_sees_nothing_of_the_buyers_findings(merchant_client, flagged):
    html = page(merchant_client, flagged)
    theirs = figure(html, flagged.buyer_item)
    assert 'data-testid="photo-finding"' not in theirs
    assert escape(REUSED) not in html
    assert_no_engine_output(html)


def test_the_merchant_reads_the_note_on_its_own_cloned_photo(merchant_client, flagged):
    html = page(merchant_client, flagged)
    mine = figure(html, flagged.merchant_item)
    assert 'data-testid="photo-finding"' in mine
    assert CLONED in mine
    assert 'data-testid="photo-finding"' not in figure(html, flagged.buyer_item)


def test_the_htmx_body_keeps_the_note(buyer_client, flagged):
    response = buyer_client.get(
        reverse("dispute", kwargs={"pk": flagged.pk}), HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="photo-finding"' in figure(response.content.decode(), flagged.buyer_item)


def test_an_outsider_sees_neither_the_page_nor_the_heatmaps(outsider_client, flagged):
    assert outsider_client.get(reverse("dispute", kwargs={"pk": flagged.pk})).status_code == 404
    url = reverse("evidence_heatmap", args=[flagged.buyer_item.uid, "ela"])
    assert outsider_client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["buyer_client", "merchant_client"])
def test_the_heatmap_view_is_404_for_both_parties(request, flagged, who):
    client = request.getfixturevalue(who)
    for item in (flagged.buyer_item, flagged.merchant_item):
        for kind in ("ela", "noise"):
            url = reverse("evidence_heatmap", args=[item.uid, kind])
            assert client.get(url).status_code == 404


def test_the_merchants_photos_are_not_flagged_for_predating_delivery(flagged, order):
    """Listing and packing photos are taken before delivery by nature; only the buyer's
    claim photos are held to the delivery date."""
    assert order.delivered_at is not None and order.delivered_at < timezone.now()
    for item in (flagged.listing_item, flagged.merchant_item):
        codes = set(item.reports.get().signals.values_list("code", flat=True))
        assert "timeline.captured_before_delivery" not in codes
