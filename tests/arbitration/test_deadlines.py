"""The expiry rule, one test per branch, on a frozen clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from arbitration import services
from arbitration.models import Decision, DisputeEvent, Offer, Refund
from arbitration.tasks import expire_overdue_disputes
from evidence.forensics import ANALYZER_VERSION
from evidence.models import Evidence, ForensicReport
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MERCHANT_DUE = T0 + timedelta(hours=48)


def at(moment, call, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return call(*args, **kwargs)


@pytest.fixture
def claim(order, buyer):
    """A damaged-item claim with one photo, opened at T0; the merchant has 48 hours."""
    return at(
        T0,
        services.dispute_open,
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="Cracked.",
        files=[jpeg_upload()],
    )


def analysed(dispute, verdict, version=ANALYZER_VERSION):
    for photo in Evidence.objects.filter(dispute=dispute):
        ForensicReport.objects.create(
            evidence=photo, analyzer_version=version, forgery_score=0.05, verdict=verdict
        )
        photo.analysis = Evidence.Analysis.DONE
        photo.save(update_fields=["analysis"])


def expire_at(moment):
    return at(moment, services.expire_overdue)


def last_event(dispute):
    return DisputeEvent.objects.filter(dispute=dispute).latest("pk")


def test_merchant_silent_on_clean_evidence_decides_for_the_buyer(claim):
    analysed(claim, ForensicReport.Verdict.NO_FINDINGS)

    assert expire_at(MERCHANT_DUE + timedelta(seconds=1)) == 1

    claim.refresh_from_db()
    assert (claim.state, claim.waiting_on, claim.deadline_at) == ("decided", "", None)
    decision = Decision.objects.get(dispute=claim)
    assert (decision.source, decision.outcome, decision.amount_fen) == (
        "deadline",
        "full_refund",
        10000,
    )
    assert decision.decided_by is None
    assert Refund.objects.get(dispute=claim).amount_fen == 10000
    event = DisputeEvent.objects.get(dispute=claim, action="default_decide")
    assert (event.actor, event.from_state, event.to_state) == (
        "system",
        "awaiting_merchant",
        "decided",
    )
    assert event.payload == {"deadline": MERCHANT_DUE.isoformat(), "waiting_on": "merchant"}


def test_the_default_decision_gives_what_was_claimed(buyer, order):
    dispute = at(
        T0,
        services.dispute_open,
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="partial_refund",
        description="Half the set is missing.",
        claimed_amount_fen=2500,
    )

    expire_at(MERCHANT_DUE)

    decision = Decision.objects.get(dispute=dispute)
    assert (decision.outcome, decision.amount_fen) == ("partial_refund", 2500)


def test_a_return_claim_defaults_to_return_and_refund(buyer, order):
    dispute = at(
        T0,
        services.dispute_open,
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="return_and_refund",
        description="Wrong size.",
    )

    expire_at(MERCHANT_DUE)

    assert Decision.objects.get(dispute=dispute).outcome == "return_and_refund"


def assert_under_review(dispute, since):
    dispute.refresh_from_db()
    assert (dispute.state, dispute.waiting_on, dispute.deadline_at) == (
        "under_review",
        "arbitrator",
        None,
    )
    assert dispute.evidence_closed_at == since
    assert not Decision.objects.filter(dispute=dispute).exists()
    event = last_event(dispute)
    assert (event.action, event.actor) == ("escalate", "system")


def test_merchant_silent_on_unanalysed_evidence_goes_to_an_arbitrator(claim):
    later = MERCHANT_DUE + timedelta(minutes=5)

    assert expire_at(later) == 1

    assert_under_review(claim, later)


@pytest.mark.parametrize(
    "verdict",
    [
        ForensicReport.Verdict.AI_GENERATED,
        ForensicReport.Verdict.EDITED,
        ForensicReport.Verdict.SUSPICIOUS,
    ],
)
def test_merchant_silent_on_flagged_evidence_goes_to_an_arbitrator(claim, verdict):
    analysed(claim, verdict)

    expire_at(MERCHANT_DUE)

    assert_under_review(claim, MERCHANT_DUE)


def test_a_clean_report_from_an_old_analyzer_is_not_enough(claim):
    analysed(claim, ForensicReport.Verdict.NO_FINDINGS, version="0.0-old")

    expire_at(MERCHANT_DUE)

    assert_under_review(claim, MERCHANT_DUE)


def test_failed_analysis_goes_to_an_arbitrator(claim):
    Evidence.objects.filter(dispute=claim).update(analysis=Evidence.Analysis.FAILED)

    expire_at(MERCHANT_DUE)

    assert_under_review(claim, MERCHANT_DUE)


def test_merchant_silent_on_a_counter_goes_to_an_arbitrator(claim, merchant, buyer):
    analysed(claim, ForensicReport.Verdict.NO_FINDINGS)
    at(T0 + timedelta(hours=1), services.offer_make, dispute=claim, party=merchant, percent=20)
    at(T0 + timedelta(hours=2), services.offer_make, dispute=claim, party=buyer, percent=60)
    due = T0 + timedelta(hours=50)

    assert expire_at(due - timedelta(seconds=1)) == 0
    assert expire_at(due) == 1

    assert_under_review(claim, due)
    assert list(Offer.objects.values_list("status", flat=True)) == ["countered", "lapsed"]


def test_buyer_silent_on_an_offer_lets_the_claim_lapse(claim, merchant):
    at(T0 + timedelta(hours=1), services.offer_make, dispute=claim, party=merchant, percent=20)
    due = T0 + timedelta(hours=73)

    assert expire_at(due - timedelta(seconds=1)) == 0
    assert expire_at(due) == 1

    claim.refresh_from_db()
    assert (claim.state, claim.waiting_on, claim.deadline_at) == ("expired", "", None)
    offer = Offer.objects.get()
    assert (offer.status, offer.answered_at) == ("lapsed", due)
    event = last_event(claim)
    assert (event.action, event.actor, event.payload["waiting_on"]) == ("expire", "system", "buyer")
    assert not Decision.objects.exists()


def test_nothing_happens_before_the_deadline(claim):
    analysed(claim, ForensicReport.Verdict.NO_FINDINGS)
    events = claim.events.count()

    assert expire_at(MERCHANT_DUE - timedelta(seconds=1)) == 0
    assert at(MERCHANT_DUE - timedelta(seconds=1), services.dispute_expire, claim.pk) is None

    claim.refresh_from_db()
    assert (claim.state, claim.deadline_at) == ("awaiting_merchant", MERCHANT_DUE)
    assert claim.events.count() == events


def test_running_the_expiry_twice_changes_nothing_more(claim):
    analysed(claim, ForensicReport.Verdict.NO_FINDINGS)
    expire_at(MERCHANT_DUE)
    events = claim.events.count()

    assert expire_at(MERCHANT_DUE + timedelta(hours=1)) == 0
    assert services.dispute_expire(claim.pk, now=MERCHANT_DUE + timedelta(hours=2)) is None

    assert claim.events.count() == events
    assert Decision.objects.count() == 1
    assert Refund.objects.count() == 1


def test_disputes_under_review_have_no_deadline(claim, buyer):
    at(T0 + timedelta(hours=1), services.dispute_escalate, dispute=claim, party=buyer)

    assert expire_at(T0 + timedelta(days=30)) == 0

    claim.refresh_from_db()
    assert claim.state == "under_review"


def test_the_beat_task_expires_every_overdue_dispute(claim, buyer, merchant, outsider):
    other = at(
        T0,
        services.dispute_open,
        order=OrderFactory(buyer=outsider, merchant=merchant),
        buyer=outsider,
        reason="not_received",
        remedy="refund_only",
        description="Nothing came.",
    )

    assert at(MERCHANT_DUE, expire_overdue_disputes) == 2

    claim.refresh_from_db()
    other.refresh_from_db()
    assert (claim.state, other.state) == ("under_review", "decided")
