"""Helpers for the dispute domain tests: disputes placed directly in any state."""

import pytest
from django.utils import translation

from arbitration.models import Dispute
from tests.factories import OrderFactory


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the site's default language is Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def dispute_in(buyer, merchant):
    """Make a dispute sitting in ``state`` on a fresh order, without going through services.

    The lifecycle tests need every state as a starting point, including ones the services
    only reach after several steps.
    """

    def make(state: str, **fields) -> Dispute:
        order = OrderFactory(buyer=buyer, merchant=merchant, amount_fen=10000)
        return Dispute.objects.create(
            platform=order.platform,
            order=order,
            buyer=buyer,
            merchant=merchant,
            state=state,
            reason=Dispute.Reason.NOT_RECEIVED,
            remedy=Dispute.Remedy.REFUND_ONLY,
            description="Never arrived.",
            claimed_amount_fen=order.amount_fen,
            **fields,
        )

    return make
