"""The console names a copied photo as a copy: its own badge, never the ``edited`` one."""

import pytest

from tests.fixtures.findings import copied_claim

from .conftest import page_url
from .test_findings import card

pytestmark = pytest.mark.django_db


def test_a_photo_copied_from_another_dispute_wears_the_reused_badge(
    console_client, order, buyer, outsider
):
    dispute = copied_claim(order, buyer, outsider)
    html = card(console_client.get(page_url(dispute)).content.decode(), dispute.buyer_item)
    assert 'class="evidence-item findings-reused"' in html
    assert (
        '<span class="verdict verdict-reused" data-testid="verdict">copy of a photo on file<'
        in html
    )
    assert "verdict-edited" not in html and ">edited<" not in html
    assert 'data-code="reuse.cross_dispute"' in html
