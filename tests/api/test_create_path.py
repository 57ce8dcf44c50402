"""Opening a dispute reads less, with the same outcome: the risk it stores and its refusals."""

import pytest

from arbitration import services
from arbitration.errors import DomainError
from arbitration.models import Dispute
from arbitration.services.risk import dispute_risk, dispute_risk_refresh


@pytest.mark.django_db
def test_the_risk_stored_at_opening_is_the_full_rules_score(order, buyer):
    """No evidence yet: the score computed without reading reports equals a full refresh."""
    dispute = services.dispute_open(
        order=order, buyer=buyer, reason="not_received", remedy="refund_only", description="?"
    )
    stored = Dispute.objects.get(pk=dispute.pk).risk_score
    assert stored > 0
    assert stored == dispute.risk_score == dispute_risk_refresh(dispute.pk)
    assert stored == dispute_risk(Dispute.objects.get(pk=dispute.pk))


@pytest.mark.django_db
def test_an_active_dispute_is_refused_before_a_settled_one(order, buyer):
    first = services.dispute_open(
        order=order, buyer=buyer, reason="not_received", remedy="refund_only", description="?"
    )
    with pytest.raises(DomainError) as refused:
        services.dispute_open(
            order=order, buyer=buyer, reason="other", remedy="refund_only", description="again"
        )
    assert refused.value.code == "dispute_exists"
    Dispute.objects.filter(pk=first.pk).update(state=Dispute.State.REFUNDED)
    with pytest.raises(DomainError) as refused:
        services.dispute_open(
            order=order, buyer=buyer, reason="other", remedy="refund_only", description="again"
        )
    assert refused.value.code == "dispute_settled"
