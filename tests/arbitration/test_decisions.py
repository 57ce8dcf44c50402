"""dispute_decide: what each outcome pays, its bounds, the evidence relied on, who may decide."""

import pytest

from arbitration import lifecycle, services
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import Decision, DisputeEvent, Refund
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory, UserFactory


def not_notifications(callbacks):
    """On-commit callbacks other than the notifications every dispute event queues."""
    return [c for c in callbacks if not c.__qualname__.startswith("dispute_event_committed")]


@pytest.fixture
def review(dispute, buyer):
    """The buyer has asked an arbitrator to decide."""
    services.dispute_escalate(dispute=dispute, party=buyer)
    return dispute


def decide(dispute, user, **fields):
    return services.dispute_decide(
        dispute=dispute, user=user, **{"reasoning": " Photos show a crack. ", **fields}
    )


def unchanged(dispute):
    dispute.refresh_from_db()
    return dispute.state == "under_review" and not Decision.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "extra", "amount"),
    [
        ("full_refund", {}, 10000),
        ("partial_refund", {"amount_fen": 4000}, 4000),
        ("partial_refund", {"percent": 40}, 4000),
        ("partial_refund", {"percent": 33}, 3300),
    ],
)
def test_each_paying_outcome_decides_and_queues_the_refund(
    review, arbitrator, outcome, extra, amount
):
    decision = decide(review, arbitrator, outcome=outcome, **extra)

    review.refresh_from_db()
    assert (review.state, review.waiting_on, review.deadline_at) == ("decided", "", None)
    assert (decision.outcome, decision.amount_fen, decision.source) == (
        outcome,
        amount,
        "arbitrator",
    )
    assert (decision.decided_by, decision.reasoning) == (arbitrator, "Photos show a crack.")
    refund = Refund.objects.get(dispute=review)
    assert (refund.amount_fen, refund.status) == (amount, "pending")
    event = DisputeEvent.objects.get(dispute=review, action="decide")
    assert (event.actor, event.actor_user) == ("arbitrator", arbitrator)
    assert event.payload == {"outcome": outcome, "amount_fen": amount}


def test_no_refund_closes_the_dispute_at_once(
    review, arbitrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        decision = decide(review, arbitrator, outcome="no_refund")

    review.refresh_from_db()
    assert review.state == "closed"
    assert decision.amount_fen == 0
    assert not Refund.objects.exists()
    assert not_notifications(callbacks) == []  # no refund queued
    actions = list(review.events.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["decide", "decision", "close"]


@pytest.mark.parametrize(
    "extra",
    [
        {"amount_fen": 0},
        {"amount_fen": 10000},
        {"amount_fen": 12000},
        {"amount_fen": -1},
        {"percent": 100},
        {"percent": 0},
        {},
        {"amount_fen": 4000, "percent": 40},
    ],
)
def test_it_rejects_a_partial_refund_outside_the_bounds(review, arbitrator, extra):
    with pytest.raises(DomainError) as caught:
        decide(review, arbitrator, outcome="partial_refund", **extra)

    assert caught.value.field in {"amount", "percent"}
    assert unchanged(review)


def test_it_rejects_an_unknown_outcome(review, arbitrator):
    with pytest.raises(DomainError) as caught:
        decide(review, arbitrator, outcome="split_the_mug")

    assert caught.value.field == "outcome"
    assert unchanged(review)


def test_it_rejects_a_decision_without_reasoning(review, arbitrator):
    with pytest.raises(DomainError) as caught:
        decide(review, arbitrator, outcome="full_refund", reasoning="   ")

    assert caught.value.field == "reasoning"
    assert unchanged(review)


def test_it_records_the_evidence_relied_on(review, arbitrator):
    photo = Evidence.objects.get(dispute=review)

    decision = decide(review, arbitrator, outcome="full_refund", evidence_ids=[photo.pk])

    assert list(decision.evidence_relied_on.all()) == [photo]


def test_it_rejects_evidence_from_another_dispute(review, arbitrator, outsider, merchant):
    elsewhere = services.dispute_open(
        order=OrderFactory(buyer=outsider, merchant=merchant),
        buyer=outsider,
        reason="damaged",
        remedy="refund_only",
        description="Broken.",
        files=[jpeg_upload()],
    )
    ours = Evidence.objects.get(dispute=review)
    theirs = Evidence.objects.get(dispute=elsewhere)

    with pytest.raises(DomainError, match="not part of this dispute"):
        decide(review, arbitrator, outcome="full_refund", evidence_ids=[ours.pk, theirs.pk])

    assert unchanged(review)


def test_it_rejects_evidence_that_does_not_exist(review, arbitrator):
    with pytest.raises(DomainError, match="not part of this dispute"):
        decide(review, arbitrator, outcome="full_refund", evidence_ids=[987654])

    assert unchanged(review)


@pytest.mark.parametrize(
    "make_user",
    [
        lambda buyer: buyer.user,
        lambda buyer: UserFactory(is_staff=True),
        lambda buyer: UserFactory(is_arbitrator=True, is_active=False),
    ],
    ids=["the-buyer", "staff-but-not-arbitrator", "inactive-arbitrator"],
)
def test_it_refuses_a_decision_by_someone_who_is_not_an_arbitrator(review, buyer, make_user):
    with pytest.raises(NotAllowed):
        decide(review, make_user(buyer), outcome="full_refund")

    assert unchanged(review)


def test_a_superuser_may_decide(review):
    admin = UserFactory(is_superuser=True, is_staff=True)

    decision = decide(review, admin, outcome="full_refund")

    assert decision.decided_by == admin


@pytest.mark.parametrize("step", ["awaiting_merchant", "negotiating", "decided"])
def test_it_rejects_a_decision_on_a_dispute_not_under_review(
    dispute, merchant, buyer, arbitrator, step
):
    if step == "negotiating":
        services.offer_make(dispute=dispute, party=merchant, amount_fen=1000)
    if step == "decided":
        services.merchant_accept_claim(dispute=dispute, party=merchant)
    events = dispute.events.count()

    with pytest.raises(lifecycle.IllegalTransition):
        decide(dispute, arbitrator, outcome="full_refund")

    dispute.refresh_from_db()
    assert dispute.state == step
    assert dispute.events.count() == events
    assert Decision.objects.filter(source="arbitrator").count() == 0


@pytest.mark.parametrize(
    ("remedy", "claimed", "outcome"),
    [
        ("refund_only", 10000, "full_refund"),
        ("refund_only", 4000, "partial_refund"),
        ("partial_refund", 4000, "partial_refund"),
        ("partial_refund", 10000, "full_refund"),
        ("return_and_refund", 10000, "return_and_refund"),
    ],
)
def test_accepting_the_claim_pays_what_was_claimed(
    order, buyer, merchant, remedy, claimed, outcome
):
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="other",
        remedy=remedy,
        description="Not what I ordered.",
        claimed_amount_fen=claimed,
    )

    services.merchant_accept_claim(dispute=dispute, party=merchant)

    decision = Decision.objects.get(dispute=dispute)
    assert (decision.outcome, decision.amount_fen) == (outcome, claimed)
    assert decision.source == "merchant_accepted"
