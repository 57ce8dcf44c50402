"""Decision appeals: filed once per party within the window, reviewed by another arbitrator;
an overturn moves money (the webhook) and credit (struck and booked anew)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import CreditEvent
from arbitration import lifecycle, services
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import Decision, DecisionAppeal, DisputeEvent
from arbitration.services.appeals import appeal_file, appeal_review
from tests.conftest import jpeg_upload
from tests.factories import UserFactory
from webhooks.models import WebhookEvent


@pytest.fixture
def decided(dispute, buyer, arbitrator):
    """An arbitrator granted the buyer's claim in full (10 000 fen)."""
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="full_refund", reasoning="Crack is visible."
    )
    dispute.refresh_from_db()
    return dispute


@pytest.fixture
def reviewer(db):
    return UserFactory(username="second-judge", is_arbitrator=True, is_staff=True)


def file(dispute, party, **fields):
    return appeal_file(
        dispute=dispute,
        party=party,
        **{"statement": "The crack was made after delivery.", "user": party.user, **fields},
    )


def live_credit(party):
    return sorted(
        CreditEvent.objects.filter(party=party, reversed_at__isnull=True).values_list(
            "kind", flat=True
        )
    )


def test_a_party_files_an_appeal_with_new_evidence_and_both_parties_are_told(
    decided, merchant, buyer
):
    appeal = file(decided, merchant, files=[jpeg_upload("packing.jpg")])

    assert (appeal.status, appeal.side, appeal.decision) == ("filed", "merchant", decided.decision)
    assert appeal.evidence.count() == 1
    event = DisputeEvent.objects.get(dispute=decided, action="appeal_filed")
    assert (event.actor, event.payload["status"], event.payload["from_status"]) == (
        "merchant",
        "filed",
        "",
    )
    assert event.from_state == event.to_state == decided.state  # the dispute does not move


def test_overturning_for_the_merchant_owes_the_refund_back_and_rebooks_credit(
    decided, merchant, buyer, reviewer
):
    assert live_credit(buyer) == ["claim_upheld"]
    appeal = file(decided, merchant)

    appeal = appeal_review(
        appeal=appeal,
        user=reviewer,
        overturn=True,
        outcome="partial_refund",
        amount_fen=2500,
        reasons="The crack is on the packing video already.",
    )

    assert (appeal.status, appeal.amount_fen, appeal.adjustment_fen) == ("overturned", 2500, -7500)
    decided.decision.refresh_from_db()
    assert decided.decision.amount_fen == 10000  # the original decision is kept as it was
    hook = WebhookEvent.objects.get(type="dispute.appeal_decided")
    assert hook.payload["adjustment_fen"] == -7500
    assert (hook.payload["payer"], hook.payload["payee"]) == ("buyer", "merchant")
    assert (hook.payload["original_amount_fen"], hook.payload["amount_fen"]) == (10000, 2500)
    struck = CreditEvent.objects.get(party=buyer, source_key=f"decision:{decided.decision.pk}")
    assert struck.reversed_at is not None and struck.reversed_by == reviewer
    # a partial refund still upholds the claim, under the appeal's own cause
    assert live_credit(buyer) == ["claim_upheld"]
    assert CreditEvent.objects.get(
        party=buyer, kind="claim_upheld", reversed_at__isnull=True
    ).source_key == (f"appeal:{appeal.pk}")


def test_overturning_to_no_refund_denies_the_claim(decided, merchant, buyer, reviewer):
    appeal = appeal_review(
        appeal=file(decided, merchant),
        user=reviewer,
        overturn=True,
        outcome="no_refund",
        reasons="Fabricated.",
    )

    assert appeal.adjustment_fen == -10000
    assert live_credit(buyer) == ["claim_denied"]


def test_overturning_for_the_buyer_owes_the_merchant_more(dispute, buyer, merchant, arbitrator):
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="no_refund", reasoning="No damage seen."
    )
    appeal = file(dispute, buyer, statement="Here is a clearer photo of the crack.")
    reviewer = UserFactory(is_arbitrator=True)

    appeal = appeal_review(
        appeal=appeal, user=reviewer, overturn=True, outcome="full_refund", reasons="Clear crack."
    )

    assert appeal.adjustment_fen == 10000
    hook = WebhookEvent.objects.get(type="dispute.appeal_decided")
    assert (hook.payload["payer"], hook.payload["payee"]) == ("merchant", "buyer")
    assert live_credit(buyer) == ["claim_upheld"]


def test_upholding_changes_no_money_and_no_credit(decided, merchant, buyer, reviewer):
    appeal = appeal_review(
        appeal=file(decided, merchant), user=reviewer, overturn=False, reasons="Nothing new."
    )

    assert (appeal.status, appeal.adjustment_fen, appeal.outcome) == ("upheld", 0, "")
    assert WebhookEvent.objects.get(type="dispute.appeal_decided").payload["adjustment_fen"] == 0
    assert live_credit(buyer) == ["claim_upheld"]


def test_the_arbitrator_who_decided_may_not_review_the_appeal(decided, merchant, arbitrator):
    appeal = file(decided, merchant)

    with pytest.raises(NotAllowed):
        appeal_review(appeal=appeal, user=arbitrator, overturn=False, reasons="I was right.")

    appeal.refresh_from_db()
    assert appeal.status == "filed"
    assert not WebhookEvent.objects.filter(type="dispute.appeal_decided").exists()


def test_a_non_arbitrator_may_not_review(decided, merchant, buyer):
    with pytest.raises(NotAllowed):
        appeal_review(appeal=file(decided, merchant), user=buyer.user, overturn=False, reasons="x")


def test_a_reviewed_appeal_cannot_be_reviewed_again(decided, merchant, reviewer):
    appeal = appeal_review(
        appeal=file(decided, merchant), user=reviewer, overturn=False, reasons="Stands."
    )

    with pytest.raises(lifecycle.IllegalTransition):
        appeal_review(
            appeal=appeal, user=reviewer, overturn=True, outcome="no_refund", reasons="Changed."
        )
    appeal.refresh_from_db()
    assert appeal.status == "upheld"


def test_each_party_appeals_once_and_one_at_a_time(decided, merchant, buyer, reviewer):
    appeal = file(decided, merchant)
    with pytest.raises(DomainError, match="already under review"):
        file(decided, buyer)
    appeal_review(appeal=appeal, user=reviewer, overturn=False, reasons="Stands.")

    with pytest.raises(DomainError, match="already appealed"):
        file(decided, merchant)
    assert file(decided, buyer).side == "buyer"
    assert DecisionAppeal.objects.count() == 2


def test_the_window_closes_after_the_platforms_days(decided, merchant):
    Decision.objects.filter(pk=decided.decision.pk).update(
        created_at=timezone.now() - timedelta(days=15, minutes=1)
    )
    with pytest.raises(DomainError, match="window to appeal"):
        file(decided, merchant)

    decided.platform.appeal_window_days = 30
    decided.platform.save()
    assert file(decided, merchant).status == "filed"


def test_an_agreement_cannot_be_appealed(dispute, merchant, buyer):
    services.merchant_accept_claim(dispute=dispute, party=merchant)
    dispute.refresh_from_db()
    with pytest.raises(DomainError, match="agreed"):
        file(dispute, buyer)


def test_an_undecided_dispute_cannot_be_appealed(dispute, buyer):
    with pytest.raises(DomainError, match="no decision"):
        file(dispute, buyer)
    assert not DecisionAppeal.objects.exists()


def test_an_outsider_cannot_appeal(decided, outsider):
    with pytest.raises(NotAllowed):
        file(decided, outsider)


def test_an_empty_statement_is_refused(decided, merchant):
    with pytest.raises(DomainError) as error:
        file(decided, merchant, statement="  ")
    assert error.value.field == "statement"


def test_overturning_to_the_same_decision_is_refused(decided, merchant, reviewer):
    appeal = file(decided, merchant)
    with pytest.raises(DomainError, match="uphold it instead"):
        appeal_review(
            appeal=appeal, user=reviewer, overturn=True, outcome="full_refund", reasons="Same."
        )


def test_unknown_and_wrong_actor_steps_are_illegal(decided, merchant):
    appeal = file(decided, merchant)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.advance(decided, appeal, lifecycle.APPEAL_STEPS, "appeal_upheld", actor="buyer")
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.advance(decided, appeal, lifecycle.APPEAL_STEPS, "appeal_filed", actor="buyer")
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.advance(decided, appeal, lifecycle.APPEAL_STEPS, "nonsense", actor="buyer")
