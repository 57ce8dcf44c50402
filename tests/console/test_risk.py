"""The queue's risk: findings × credit × amount in one function, kept fresh as findings arrive,
disputes open and tiers move, and explained on hover."""

import pytest

from accounts.credit import credit_event_record
from accounts.models import CreditEvent, CreditTier, Party
from arbitration.models import Dispute
from arbitration.services.risk import (
    Risk,
    amount_factor,
    dispute_risk,
    dispute_risk_refresh,
    findings_factor,
    risk_components,
)
from evidence import forensics
from evidence.models import ForensicReport

from .conftest import QUEUE, page_url

pytestmark = pytest.mark.django_db


def report(dispute, forgery: float) -> None:
    ForensicReport.objects.create(
        evidence=dispute.evidence.first(),
        analyzer_version=forensics.ANALYZER_VERSION,
        forgery_score=forgery,
        verdict="suspicious",
    )


def tier(party, value) -> None:
    Party.objects.filter(pk=party.pk).update(credit_tier=value)


def fresh(dispute) -> Dispute:
    return Dispute.objects.select_related("buyer", "merchant").get(pk=dispute.pk)


def test_each_factor_stays_within_its_floor_and_one():
    assert findings_factor(0.0) == pytest.approx(0.2)
    assert findings_factor(1.0) == pytest.approx(1.0)
    assert amount_factor(0) == pytest.approx(0.4)
    assert amount_factor(5000_00) == pytest.approx(1.0)
    assert amount_factor(90000_00) == pytest.approx(1.0)
    assert 0.4 < amount_factor(100_00) < amount_factor(1000_00) < 1.0
    assert Risk(1.0, 1.0, 1.0).score == 1.0


def test_forged_findings_raise_a_dispute_s_risk(dispute):
    before = dispute_risk(fresh(dispute))
    report(dispute, 0.9)
    after = dispute_risk(fresh(dispute))
    assert after > before
    assert risk_components(fresh(dispute)).findings == pytest.approx(0.2 + 0.8 * 0.9)


def test_a_large_claim_from_a_restricted_buyer_outranks_a_small_one_from_a_trusted_buyer(
    queued, buyer, outsider, merchant
):
    small = queued(claimed_yuan=20)
    tier(buyer, CreditTier.TRUSTED)
    large = queued(claimed_yuan=3000)
    Dispute.objects.filter(pk=large.pk).update(buyer=outsider)
    tier(outsider, CreditTier.RESTRICTED)
    assert dispute_risk(fresh(large)) > dispute_risk(fresh(small))
    assert risk_components(fresh(large)).credit == 1.0


def test_a_low_merchant_tier_counts_too(queued, merchant):
    dispute = queued(claimed_yuan=200)
    standard = dispute_risk(fresh(dispute))
    tier(merchant, CreditTier.RESTRICTED)
    assert dispute_risk(fresh(dispute)) > standard


def test_a_dispute_is_ranked_when_it_opens(dispute):
    dispute.refresh_from_db()
    assert dispute.risk_score == pytest.approx(dispute_risk(fresh(dispute)))
    assert dispute.risk_score > 0


def test_a_tier_change_re_ranks_the_party_s_open_disputes(
    dispute, buyer, django_capture_on_commit_callbacks
):
    before = Dispute.objects.get(pk=dispute.pk).risk_score
    with django_capture_on_commit_callbacks(execute=True):
        credit_event_record(
            party=buyer,
            kind=CreditEvent.Kind.EVIDENCE_FABRICATED,
            reason="AI-made stain confirmed",
            source_key="test:1",
        )
    buyer.refresh_from_db()
    assert buyer.credit_tier == CreditTier.WATCH
    after = Dispute.objects.get(pk=dispute.pk).risk_score
    assert after > before
    assert after == pytest.approx(dispute_risk(fresh(dispute)))


def test_the_queue_sorts_by_the_stored_risk_and_explains_it_on_hover(console_client, queued):
    low = queued(claimed_yuan=20)
    high = queued(claimed_yuan=3000)
    dispute_risk_refresh(low.pk)
    dispute_risk_refresh(high.pk)
    response = console_client.get(QUEUE)
    rows = list(response.context["cl"].result_list)
    assert rows.index(high) < rows.index(low)
    html = response.content.decode()
    assert 'title="findings 0.20 × credit 0.60 × amount' in html


def test_the_dispute_page_shows_the_factors(console_client, dispute):
    html = console_client.get(page_url(dispute)).content.decode()
    risk = html.split('data-testid="risk"')[1].split("</dd>")[0]
    assert "findings 0.20 × credit 0.60 × amount" in risk
