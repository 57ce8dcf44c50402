"""The console's decision form lists flagged evidence to confirm as fabricated."""

import pytest

from accounts.models import CreditEvent
from arbitration import services
from arbitration.models import Decision
from tests.conftest import jpeg_upload
from tests.console.conftest import console_client  # noqa: F401
from tests.factories import OrderFactory
from tests.fixtures.findings import flagged_dispute


@pytest.fixture
def flagged(order, buyer, merchant):
    dispute = flagged_dispute(order, buyer, merchant)
    services.dispute_escalate(dispute=dispute, party=buyer)
    return dispute


def page_url(dispute):
    return f"/console/arbitration/dispute/{dispute.pk}/change/"


def test_the_form_offers_the_flagged_evidence_and_books_what_is_confirmed(
    console_client,  # noqa: F811
    flagged,
    buyer,
):
    page = console_client.get(page_url(flagged)).content.decode()
    assert 'data-testid="fabricated"' in page
    assert f'name="fabricated" value="{flagged.buyer_item.pk}"' in page

    response = console_client.post(
        page_url(flagged),
        {
            "outcome": "no_refund",
            "reasoning": "The stain is painted on the listing photo.",
            "fabricated": [flagged.buyer_item.pk],
        },
    )
    assert response.status_code == 302
    event = buyer.credit_events.get(kind=CreditEvent.Kind.EVIDENCE_FABRICATED)
    assert event.evidence == flagged.buyer_item


def test_evidence_outside_the_list_is_a_form_error(console_client, flagged, outsider):  # noqa: F811
    elsewhere = services.dispute_open(
        order=OrderFactory(buyer=outsider),
        buyer=outsider,
        reason="damaged",
        remedy="refund_only",
        description="x",
        files=[jpeg_upload()],
    ).evidence.get()
    response = console_client.post(
        page_url(flagged),
        {"outcome": "no_refund", "reasoning": "x", "fabricated": [elsewhere.pk]},
    )
    assert response.status_code == 400
    assert not Decision.objects.exists()
    assert not CreditEvent.objects.filter(kind=CreditEvent.Kind.EVIDENCE_FABRICATED).exists()
