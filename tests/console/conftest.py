"""Console helpers: a logged-in arbitrator and disputes placed straight into the queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Party
from arbitration import services
from arbitration.models import Dispute
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory, PartyFactory, PlatformFactory

QUEUE = "/console/arbitration/dispute/"


@pytest.fixture
def console_client(client, arbitrator):
    """The arbitrator, logged in, reading the console in English (the default is Chinese)."""
    client.force_login(arbitrator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def queued(buyer, merchant):
    """Make a dispute row in ``state`` with a given age and claim, as the queue reads it.

    The queue only reads disputes, so rows are written directly rather than walked there.
    """

    def make(state="under_review", *, days=0, claimed_yuan=100, risk=0.0, platform=None, **kw):
        if platform is None:
            b, m = buyer, merchant
        else:
            b = PartyFactory(platform=platform, kind=Party.Kind.BUYER, user=None)
            m = PartyFactory(platform=platform, kind=Party.Kind.MERCHANT, user=None)
        order = OrderFactory(buyer=b, merchant=m, amount_fen=max(claimed_yuan * 100, 1000_00))
        dispute = Dispute.objects.create(
            platform=order.platform,
            order=order,
            buyer=b,
            merchant=m,
            state=state,
            reason=Dispute.Reason.DAMAGED,
            remedy=Dispute.Remedy.REFUND_ONLY,
            description="Cracked.",
            claimed_amount_fen=claimed_yuan * 100,
            risk_score=risk,
            **kw,
        )
        Dispute.objects.filter(pk=dispute.pk).update(
            opened_at=timezone.now() - timedelta(days=days, minutes=5)
        )
        return dispute

    return make


@pytest.fixture
def other_platform(db):
    return PlatformFactory(name="Other Mall", slug="other-mall")


@pytest.fixture
def under_review(dispute, merchant):
    """The conftest dispute after the merchant's counter-evidence and the buyer's escalation."""
    services.party_add_evidence(
        dispute=dispute, party=merchant, files=[jpeg_upload("box.jpg", color=(20, 60, 160))]
    )
    return services.dispute_escalate(dispute=dispute, party=dispute.buyer, statement="No deal.")


def page_url(dispute) -> str:
    return reverse("console:arbitration_dispute_change", args=[dispute.pk])
