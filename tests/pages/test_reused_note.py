"""The buyer whose photo is a copy of one on file is told so plainly, not "edited"."""

import pytest
from django.urls import reverse

from tests.fixtures.findings import copied_claim

pytestmark = pytest.mark.django_db


def test_the_buyer_reads_that_their_photo_is_a_copy_not_an_edit(
    buyer_client, order, buyer, outsider
):
    dispute = copied_claim(order, buyer, outsider)
    html = buyer_client.get(reverse("dispute", kwargs={"pk": dispute.pk})).content.decode()
    start = html.index(f'data-testid="evidence-{dispute.buyer_item.uid}"')
    mine = html[start : html.index("</figure>", start)]
    assert 'data-verdict="reused"' in mine
    assert "This photo is a copy of a photo already on file." in mine
    assert "That does not mean it was edited." in mine
    assert "appears to have been edited" not in mine
    assert "already submitted in another dispute" in mine
