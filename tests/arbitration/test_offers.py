"""Offers: amounts, counters, one pending offer at a time, accepting settles the dispute."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from arbitration import lifecycle, services
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import Decision, Dispute, DisputeEvent, Offer, Refund
from tests.factories import OrderFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def snapshot(dispute):
    dispute.refresh_from_db()
    return (
        dispute.state,
        dispute.waiting_on,
        dispute.deadline_at,
        DisputeEvent.objects.filter(dispute=dispute).count(),
        list(Offer.objects.filter(dispute=dispute).values_list("status", flat=True)),
    )


@pytest.fixture
def offered(dispute, merchant):
    """The merchant has offered 30 yuan and waits for the buyer."""
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)
    return dispute


def test_a_merchant_offer_starts_the_negotiation_and_waits_on_the_buyer(dispute, merchant):
    with time_machine.travel(NOW, tick=False):
        offer = services.offer_make(
            dispute=dispute, party=merchant, percent=30, message=" sorry ", user=merchant.user
        )

    dispute.refresh_from_db()
    assert (dispute.state, dispute.waiting_on) == ("negotiating", "buyer")
    assert dispute.deadline_at == NOW + timedelta(hours=72)
    assert (offer.amount_fen, offer.percent, offer.message) == (3000, 30, "sorry")
    assert (offer.status, offer.made_by, offer.counter_to) == ("pending", merchant, None)
    event = DisputeEvent.objects.filter(dispute=dispute).latest("pk")
    assert (event.action, event.actor, event.actor_user) == ("offer", "merchant", merchant.user)
    assert event.payload == {"amount_fen": 3000, "percent": 30, "offer": offer.pk}


@pytest.mark.parametrize(
    ("paid", "percent", "fen"),
    [(9999, 30, 3000), (10001, 33, 3300), (99, 50, 50), (10050, 1, 101), (10049, 1, 100)],
)
def test_a_percentage_rounds_half_up_to_the_fen(buyer, merchant, paid, percent, fen):
    order = OrderFactory(buyer=buyer, merchant=merchant, amount_fen=paid)
    dispute = services.dispute_open(
        order=order, buyer=buyer, reason="other", remedy="partial_refund", description="x"
    )

    offer = services.offer_make(dispute=dispute, party=merchant, percent=percent)

    assert offer.amount_fen == fen


@pytest.mark.parametrize(
    ("amount", "percent", "field"),
    [
        (0, None, "amount"),
        (10000, None, "amount"),
        (10001, None, "amount"),
        (-5, None, "amount"),
        (None, 0, "percent"),
        (None, 101, "percent"),
        (None, 100, "amount"),
        (3000, 30, "amount"),
        (None, None, "amount"),
    ],
)
def test_it_rejects_an_offer_outside_the_bounds(dispute, merchant, amount, percent, field):
    before = snapshot(dispute)

    with pytest.raises(DomainError) as caught:
        services.offer_make(dispute=dispute, party=merchant, amount_fen=amount, percent=percent)

    assert caught.value.field == field
    assert snapshot(dispute) == before


def test_a_buyer_counter_marks_the_offer_countered_and_waits_on_the_merchant(offered, buyer):
    first = Offer.objects.get()

    with time_machine.travel(NOW, tick=False):
        counter = services.offer_make(dispute=offered, party=buyer, amount_fen=6000)

    first.refresh_from_db()
    assert (first.status, first.answered_at) == ("countered", NOW)
    assert (counter.status, counter.counter_to, counter.made_by) == ("pending", first, buyer)
    offered.refresh_from_db()
    assert (offered.waiting_on, offered.deadline_at) == ("merchant", NOW + timedelta(hours=48))
    event = DisputeEvent.objects.filter(dispute=offered).latest("pk")
    assert (event.action, event.actor) == ("counter", "buyer")


def test_the_merchant_can_counter_the_buyers_counter(offered, buyer, merchant):
    services.offer_make(dispute=offered, party=buyer, amount_fen=6000)

    third = services.offer_make(dispute=offered, party=merchant, amount_fen=4500)

    statuses = list(Offer.objects.values_list("status", flat=True))
    assert statuses == ["countered", "countered", "pending"]
    assert third.counter_to.amount_fen == 6000


def test_it_allows_only_one_pending_offer(offered, merchant):
    before = snapshot(offered)

    with pytest.raises(DomainError) as caught:
        services.offer_make(dispute=offered, party=merchant, amount_fen=2000)

    assert caught.value.code == "offer_pending"
    assert snapshot(offered) == before


def test_the_buyer_cannot_open_the_bidding(dispute, buyer):
    before = snapshot(dispute)

    with pytest.raises(DomainError) as caught:
        services.offer_make(dispute=dispute, party=buyer, amount_fen=2000)

    assert caught.value.code == "no_offer"
    assert snapshot(dispute) == before


@pytest.mark.parametrize("answer", [services.offer_accept, services.offer_reject])
def test_a_party_cannot_answer_its_own_offer(offered, merchant, answer):
    before = snapshot(offered)

    with pytest.raises(DomainError) as caught:
        answer(dispute=offered, party=merchant)

    assert caught.value.code == "no_offer"
    assert snapshot(offered) == before


def test_accepting_settles_the_dispute_by_agreement(offered, buyer):
    decision = services.offer_accept(dispute=offered, party=buyer, user=buyer.user)

    offered.refresh_from_db()
    assert (offered.state, offered.waiting_on, offered.deadline_at) == ("decided", "", None)
    assert (decision.source, decision.outcome) == ("agreement", "partial_refund")
    assert (decision.amount_fen, decision.decided_by) == (3000, buyer.user)
    assert Offer.objects.get().status == "accepted"
    refund = Refund.objects.get(dispute=offered)
    assert (refund.amount_fen, refund.status, refund.currency) == (3000, "pending", "CNY")
    actions = list(
        DisputeEvent.objects.filter(dispute=offered).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == ["accept_offer", "decision"]


def test_the_merchant_can_accept_the_buyers_counter(offered, buyer, merchant):
    services.offer_make(dispute=offered, party=buyer, amount_fen=5000)

    decision = services.offer_accept(dispute=offered, party=merchant)

    assert decision.amount_fen == 5000
    assert Refund.objects.get().amount_fen == 5000


def test_rejecting_hands_the_move_back_to_the_offerer(offered, buyer):
    with time_machine.travel(NOW, tick=False):
        offer = services.offer_reject(dispute=offered, party=buyer, message=" too low ")

    assert (offer.status, offer.answered_at) == ("rejected", NOW)
    offered.refresh_from_db()
    assert (offered.state, offered.waiting_on) == ("negotiating", "merchant")
    assert offered.deadline_at == NOW + timedelta(hours=48)
    event = DisputeEvent.objects.filter(dispute=offered).latest("pk")
    assert (event.action, event.payload) == (
        "reject_offer",
        {"offer": offer.pk, "message": "too low"},
    )


def test_after_a_rejection_the_merchant_may_offer_again(offered, buyer, merchant):
    services.offer_reject(dispute=offered, party=buyer)

    offer = services.offer_make(dispute=offered, party=merchant, amount_fen=4000)

    assert (offer.status, offer.counter_to) == ("pending", None)
    assert DisputeEvent.objects.filter(dispute=offered).latest("pk").action == "offer"


def test_escalating_lapses_the_pending_offer(offered, buyer):
    services.dispute_escalate(dispute=offered, party=buyer, statement=" unfair ")

    offered.refresh_from_db()
    assert (offered.state, offered.waiting_on) == ("under_review", "arbitrator")
    assert offered.evidence_closed_at is not None
    assert Offer.objects.get().status == "lapsed"


def test_it_rejects_an_offer_once_the_dispute_is_under_review(dispute, buyer, merchant):
    services.dispute_escalate(dispute=dispute, party=buyer)
    before = snapshot(dispute)

    with pytest.raises(lifecycle.IllegalTransition):
        services.offer_make(dispute=dispute, party=merchant, amount_fen=2000)

    assert snapshot(dispute) == before


def test_it_rejects_an_accept_after_the_offer_lapsed(offered, buyer):
    services.dispute_escalate(dispute=offered, party=buyer)

    with pytest.raises(DomainError, match="no offer waiting"):
        services.offer_accept(dispute=offered, party=buyer)

    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "call",
    [
        lambda d, p: services.offer_make(dispute=d, party=p, amount_fen=100),
        lambda d, p: services.offer_accept(dispute=d, party=p),
        lambda d, p: services.offer_reject(dispute=d, party=p),
    ],
)
def test_an_outsider_cannot_take_part(offered, outsider, call):
    before = snapshot(offered)

    with pytest.raises(NotAllowed):
        call(offered, outsider)

    assert snapshot(offered) == before


def test_the_merchant_can_accept_the_claim_instead(dispute, merchant):
    services.merchant_accept_claim(dispute=dispute, party=merchant)

    decision = Decision.objects.get(dispute=dispute)
    assert (decision.source, decision.outcome, decision.amount_fen) == (
        "merchant_accepted",
        "full_refund",
        10000,
    )
    assert Dispute.objects.get().state == "decided"
