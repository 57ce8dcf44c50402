"""Remedies beyond money: each one's path through the state machine, its deadlines on a frozen
clock, its illegal steps, and refunds of single order lines with their totals checked."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from arbitration import lifecycle, services
from arbitration.errors import DomainError
from arbitration.models import Decision, Dispute, DisputeEvent, Offer, Refund, RefundLine, Shipment
from arbitration.services import remedies
from tests.factories import OrderFactory

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LINES = [
    {"sku": "MUG-1", "title": "Mug", "quantity": 3, "unit_price_fen": 2000},
    {"sku": "TEA-1", "title": "Tea", "quantity": 1, "unit_price_fen": 5000},
    {"sku": "BOX-1", "title": "Gift box", "quantity": 2, "unit_price_fen": 500},
]


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def basket(buyer, merchant):
    """A three-line order: 3 mugs at ¥20, tea at ¥50, 2 boxes at ¥5; ¥120 paid."""
    return OrderFactory(buyer=buyer, merchant=merchant, items=LINES, amount_fen=12000)


def open_on(order, remedy="refund_only"):
    return services.dispute_open(
        order=order,
        buyer=order.buyer,
        reason="not_received",
        remedy=remedy,
        description="Problem.",
    )


@pytest.fixture
def review(basket):
    dispute = open_on(basket)
    return services.dispute_escalate(dispute=dispute, party=dispute.buyer)


def state_of(dispute):
    dispute.refresh_from_db()
    return dispute.state


def actions(dispute):
    """Actions in the order written (the frozen clock puts some before earlier rows)."""
    events = DisputeEvent.objects.filter(dispute=dispute).order_by("pk")
    return list(events.values_list("action", flat=True))


def decide(dispute, user, **kw):
    return services.dispute_decide(dispute=dispute, user=user, reasoning="Seen.", **kw)


# --- return and refund ----------------------------------------------------------------------
def test_return_and_refund_waits_for_the_return_then_pays_after_acknowledgement(
    review, arbitrator, merchant, eager, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        decision = decide(review, arbitrator, outcome="return_and_refund")
    review.refresh_from_db()
    assert (decision.amount_fen, review.state) == (12000, "awaiting_return")
    assert (review.waiting_on, review.deadline_at) == ("buyer", T0 + remedies.RETURN_SHIP_WINDOW)
    assert not Refund.objects.exists()

    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        shipment = services_call(
            remedies.return_ship,
            review,
            review.buyer,
            carrier="sf",
            tracking_number=" sf 1234 5678 ",
        )
    review.refresh_from_db()
    assert review.state == "return_in_transit"
    assert (shipment.kind, shipment.carrier, shipment.tracking_number) == (
        "return",
        "sf",
        "SF12345678",
    )
    assert (review.waiting_on, review.deadline_at) == (
        "merchant",
        T0 + timedelta(days=2) + remedies.RETURN_RECEIVE_WINDOW,
    )
    assert not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        refund = remedies.return_acknowledge(dispute=review, party=merchant, user=merchant.user)

    refund.refresh_from_db()
    assert (refund.amount_fen, refund.status) == (12000, "succeeded")
    assert state_of(review) == "refunded"
    shipment.refresh_from_db()
    assert shipment.received_at is not None and shipment.acknowledged_by == merchant.user
    assert actions(review)[-5:] == [
        "decision",
        "await_return",
        "ship_return",
        "acknowledge_return",
        "refund",
    ]


def services_call(fn, dispute, party, **kw):
    return fn(dispute=dispute, party=party, user=party.user, **kw)


@pytest.fixture
def awaiting_return(review, arbitrator):
    with time_machine.travel(T0, tick=False):
        decide(review, arbitrator, outcome="return_and_refund")
    return review


def test_only_the_buyer_ships_the_return_and_only_once(awaiting_return, merchant, buyer):
    with pytest.raises(lifecycle.IllegalTransition, match="A merchant cannot"):
        services_call(
            remedies.return_ship,
            awaiting_return,
            merchant,
            carrier="sf",
            tracking_number="SF12345678",
        )
    services_call(
        remedies.return_ship, awaiting_return, buyer, carrier="sf", tracking_number="SF12345678"
    )
    events = len(actions(awaiting_return))

    with pytest.raises(lifecycle.IllegalTransition):
        services_call(
            remedies.return_ship, awaiting_return, buyer, carrier="jd", tracking_number="JD99999999"
        )

    assert Shipment.objects.filter(dispute=awaiting_return).count() == 1
    assert len(actions(awaiting_return)) == events


def test_a_return_cannot_be_acknowledged_before_it_is_shipped_nor_by_the_buyer(
    awaiting_return, merchant, buyer
):
    with pytest.raises(lifecycle.IllegalTransition):
        services_call(remedies.return_acknowledge, awaiting_return, merchant)
    services_call(
        remedies.return_ship, awaiting_return, buyer, carrier="sf", tracking_number="SF12345678"
    )

    with pytest.raises(lifecycle.IllegalTransition, match="A buyer cannot"):
        services_call(remedies.return_acknowledge, awaiting_return, buyer)

    assert state_of(awaiting_return) == "return_in_transit"
    assert not Refund.objects.exists()


@pytest.mark.parametrize("number", ["", "12", "SF 12#456", "x" * 41])
def test_a_bad_tracking_number_is_refused_and_changes_nothing(awaiting_return, buyer, number):
    with pytest.raises(DomainError) as caught:
        services_call(
            remedies.return_ship, awaiting_return, buyer, carrier="sf", tracking_number=number
        )

    assert caught.value.field == "tracking_number"
    assert state_of(awaiting_return) == "awaiting_return"
    assert not Shipment.objects.exists()


def test_an_unknown_carrier_is_refused(awaiting_return, buyer):
    with pytest.raises(DomainError) as caught:
        services_call(
            remedies.return_ship,
            awaiting_return,
            buyer,
            carrier="pigeon",
            tracking_number="SF12345678",
        )
    assert caught.value.field == "carrier"


def test_a_return_never_sent_closes_without_a_refund(awaiting_return):
    with time_machine.travel(T0 + remedies.RETURN_SHIP_WINDOW - timedelta(seconds=1)):
        assert services.expire_overdue() == 0
    with time_machine.travel(T0 + remedies.RETURN_SHIP_WINDOW, tick=False):
        assert services.expire_overdue() == 1

    awaiting_return.refresh_from_db()
    assert (awaiting_return.state, awaiting_return.deadline_at) == ("closed", None)
    assert actions(awaiting_return)[-1] == "return_lapse"
    assert not Refund.objects.exists()


def test_a_return_the_merchant_never_acknowledges_is_refunded_at_the_deadline(
    awaiting_return, buyer
):
    shipped = T0 + timedelta(days=1)
    with time_machine.travel(shipped, tick=False):
        services_call(
            remedies.return_ship, awaiting_return, buyer, carrier="sf", tracking_number="SF12345678"
        )
    with time_machine.travel(shipped + remedies.RETURN_RECEIVE_WINDOW, tick=False):
        assert services.expire_overdue() == 1

    assert state_of(awaiting_return) == "refunding"
    event = DisputeEvent.objects.filter(dispute=awaiting_return).latest("pk")
    assert (event.action, event.actor, event.payload["deemed"]) == (
        "acknowledge_return",
        "system",
        True,
    )
    assert Refund.objects.get().amount_fen == 12000
    assert Shipment.objects.get().acknowledged_by is None


# --- replacement ----------------------------------------------------------------------------
@pytest.fixture
def awaiting_replacement(review, arbitrator):
    with time_machine.travel(T0, tick=False):
        decide(review, arbitrator, outcome="replacement")
    return review


def test_replacement_shipped_by_the_merchant_and_confirmed_by_the_buyer_closes(
    awaiting_replacement, merchant, buyer
):
    dispute = awaiting_replacement
    assert Decision.objects.get(dispute=dispute).amount_fen == 0
    dispute.refresh_from_db()
    assert (dispute.state, dispute.waiting_on) == ("awaiting_replacement", "merchant")
    assert dispute.deadline_at == T0 + remedies.REPLACEMENT_SHIP_WINDOW

    with pytest.raises(lifecycle.IllegalTransition, match="A buyer cannot"):
        services_call(
            remedies.replacement_ship, dispute, buyer, carrier="sf", tracking_number="SF12345678"
        )
    with pytest.raises(lifecycle.IllegalTransition):
        services_call(remedies.replacement_confirm, dispute, buyer)

    shipment = services_call(
        remedies.replacement_ship, dispute, merchant, carrier="zto", tracking_number="ZT7788990011"
    )
    assert (state_of(dispute), shipment.kind) == ("replacement_shipped", "replacement")
    with pytest.raises(lifecycle.IllegalTransition):
        services_call(
            remedies.replacement_ship,
            dispute,
            merchant,
            carrier="zto",
            tracking_number="ZT7788990012",
        )
    with pytest.raises(lifecycle.IllegalTransition, match="A merchant cannot"):
        services_call(remedies.replacement_confirm, dispute, merchant)

    services_call(remedies.replacement_confirm, dispute, buyer)

    dispute.refresh_from_db()
    assert (dispute.state, dispute.waiting_on, dispute.deadline_at) == ("closed", "", None)
    shipment.refresh_from_db()
    assert shipment.acknowledged_by == buyer.user
    assert not Refund.objects.exists()
    assert actions(dispute)[-4:] == [
        "decision",
        "await_replacement",
        "ship_replacement",
        "confirm_replacement",
    ]


def test_a_replacement_never_sent_refunds_the_claim(awaiting_replacement):
    with time_machine.travel(T0 + remedies.REPLACEMENT_SHIP_WINDOW, tick=False):
        assert services.expire_overdue() == 1

    assert state_of(awaiting_replacement) == "refunding"
    assert Refund.objects.get().amount_fen == awaiting_replacement.claimed_amount_fen
    assert actions(awaiting_replacement)[-1] == "replacement_lapse"


def test_a_replacement_never_confirmed_closes_at_the_deadline(awaiting_replacement, merchant):
    shipped = T0 + timedelta(days=1)
    with time_machine.travel(shipped, tick=False):
        services_call(
            remedies.replacement_ship,
            awaiting_replacement,
            merchant,
            carrier="sf",
            tracking_number="SF12345678",
        )
    with time_machine.travel(shipped + remedies.REPLACEMENT_CONFIRM_WINDOW, tick=False):
        assert services.expire_overdue() == 1

    assert state_of(awaiting_replacement) == "closed"
    event = DisputeEvent.objects.filter(dispute=awaiting_replacement).latest("pk")
    assert (event.action, event.actor) == ("confirm_replacement", "system")


def test_a_buyer_asking_for_a_replacement_gets_one_when_the_merchant_accepts(basket, merchant):
    dispute = open_on(basket, remedy="replacement")

    services.merchant_accept_claim(dispute=dispute, party=merchant)

    decision = Decision.objects.get(dispute=dispute)
    assert (decision.outcome, decision.amount_fen) == ("replacement", 0)
    assert state_of(dispute) == "awaiting_replacement"


def test_the_withdraw_move_is_gone_once_a_remedy_is_under_way(awaiting_return, buyer):
    with pytest.raises(lifecycle.IllegalTransition):
        services.dispute_withdraw(dispute=awaiting_return, party=buyer)


def test_a_settled_order_with_a_remedy_under_way_cannot_be_disputed_again(awaiting_return):
    with pytest.raises(DomainError) as caught:
        open_on(awaiting_return.order)
    assert caught.value.code == "dispute_settled"


# --- offers ---------------------------------------------------------------------------------
@pytest.fixture
def claim(basket):
    return open_on(basket)


def test_an_accepted_replacement_offer_starts_the_replacement(claim, merchant, buyer):
    offer = services.offer_make(dispute=claim, party=merchant, remedy="replacement")
    assert (offer.remedy, offer.amount_fen) == ("replacement", 0)

    decision = services.offer_accept(dispute=claim, party=buyer)

    assert (decision.outcome, decision.source) == ("replacement", "agreement")
    assert state_of(claim) == "awaiting_replacement"


def test_an_accepted_return_offer_of_some_lines_refunds_them_after_the_return(
    claim, merchant, buyer, eager, django_capture_on_commit_callbacks
):
    lines = [{"line": 0, "quantity": 2, "amount_fen": 4000, "reason": "damaged"}]
    offer = services.offer_make(
        dispute=claim, party=merchant, remedy="return_and_refund", lines=lines
    )
    assert offer.amount_fen == 4000
    assert list(offer.lines.values_list("line_index", "quantity", "amount_fen")) == [(0, 2, 4000)]

    decision = services.offer_accept(dispute=claim, party=buyer)
    assert (decision.outcome, decision.amount_fen) == ("return_and_refund", 4000)
    assert list(decision.lines.values_list("sku", "quantity", "reason")) == [
        ("MUG-1", 2, "damaged")
    ]
    services_call(remedies.return_ship, claim, buyer, carrier="sf", tracking_number="SF12345678")
    with django_capture_on_commit_callbacks(execute=True):
        services_call(remedies.return_acknowledge, claim, merchant)

    assert Refund.objects.get().amount_fen == 4000
    assert state_of(claim) == "refunded"


def test_a_buyer_counters_a_partial_refund_with_line_refunds(claim, merchant, buyer):
    services.offer_make(dispute=claim, party=merchant, amount_fen=1000)
    lines = [
        {"line": 0, "quantity": 1, "amount_fen": 2000, "reason": "damaged"},
        {"line": 2, "quantity": 2, "amount_fen": 600, "reason": "missing"},
    ]

    counter = services.offer_make(dispute=claim, party=buyer, lines=lines)

    assert (counter.remedy, counter.amount_fen, counter.percent) == ("partial_refund", 2600, None)
    decision = services.offer_accept(dispute=claim, party=merchant)
    assert (decision.outcome, decision.amount_fen) == ("partial_refund", 2600)
    assert decision.lines.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"remedy": "replacement", "amount_fen": 100}, "remedy"),
        ({"remedy": "return_and_refund", "amount_fen": 100}, "amount"),
        ({"remedy": "swap"}, "remedy"),
        (
            {
                "amount_fen": 100,
                "lines": [{"line": 0, "quantity": 1, "amount_fen": 1, "reason": "other"}],
            },
            "lines",
        ),
    ],
)
def test_an_offer_that_mixes_remedies_is_refused(claim, merchant, kwargs, field):
    with pytest.raises(DomainError) as caught:
        services.offer_make(dispute=claim, party=merchant, **kwargs)

    assert caught.value.field == field
    assert not Offer.objects.exists()
    assert state_of(claim) == "awaiting_merchant"


# --- refunds of order lines -----------------------------------------------------------------
def test_a_multi_line_order_is_refunded_per_line_with_the_total_checked(
    review, arbitrator, eager, django_capture_on_commit_callbacks
):
    lines = [
        {"line": 0, "quantity": 2, "amount_fen": 4000, "reason": "damaged"},
        {"line": 1, "quantity": 1, "amount_fen": 2500, "reason": "not_as_described"},
        {"line": 2, "quantity": 1, "amount_fen": 500, "reason": "missing"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(review, arbitrator, outcome="partial_refund", lines=lines)

    assert (decision.outcome, decision.amount_fen) == ("partial_refund", 7000)
    stored = list(
        RefundLine.objects.filter(decision=decision).values_list(
            "line_index", "sku", "quantity", "unit_price_fen", "amount_fen", "reason"
        )
    )
    assert stored == [
        (0, "MUG-1", 2, 2000, 4000, "damaged"),
        (1, "TEA-1", 1, 5000, 2500, "not_as_described"),
        (2, "BOX-1", 1, 500, 500, "missing"),
    ]
    assert sum(row[4] for row in stored) == Refund.objects.get().amount_fen == 7000
    assert state_of(review) == "refunded"
    record = DisputeEvent.objects.get(dispute=review, action="decision")
    assert [line["amount_fen"] for line in record.payload["lines"]] == [4000, 2500, 500]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"line": 0, "quantity": 2, "amount_fen": 4001, "reason": "damaged"}], "at most ¥40.00"),
        ([{"line": 0, "quantity": 4, "amount_fen": 100, "reason": "damaged"}], "between 1 and 3"),
        ([{"line": 1, "quantity": 1, "amount_fen": 0, "reason": "damaged"}], "more than zero"),
        ([{"line": 7, "quantity": 1, "amount_fen": 10, "reason": "damaged"}], "does not exist"),
        ([{"line": 1, "quantity": 1, "amount_fen": 10, "reason": "bored"}], "reason"),
        (
            [
                {"line": 1, "quantity": 1, "amount_fen": 10, "reason": "damaged"},
                {"line": 1, "quantity": 1, "amount_fen": 10, "reason": "damaged"},
            ],
            "twice",
        ),
        ([{"line": "x", "quantity": 1, "amount_fen": 10, "reason": "damaged"}], "line number"),
        ([], None),
    ],
)
def test_an_over_refund_or_a_bad_line_is_refused_and_changes_nothing(
    review, arbitrator, lines, message
):
    with pytest.raises(DomainError) as caught:
        if lines:
            decide(review, arbitrator, outcome="partial_refund", lines=lines)
        else:
            remedies.lines_check(review.order, lines)

    assert caught.value.field == "lines"
    if message:
        assert message in caught.value.message
    assert state_of(review) == "under_review"
    assert not Decision.objects.exists() and not RefundLine.objects.exists()


def test_lines_refunding_everything_are_not_a_partial_refund(review, arbitrator):
    everything = [
        {"line": 0, "quantity": 3, "amount_fen": 6000, "reason": "damaged"},
        {"line": 1, "quantity": 1, "amount_fen": 5000, "reason": "damaged"},
        {"line": 2, "quantity": 2, "amount_fen": 1000, "reason": "damaged"},
    ]
    with pytest.raises(DomainError, match="full refund"):
        decide(review, arbitrator, outcome="partial_refund", lines=everything)

    decision = decide(review, arbitrator, outcome="return_and_refund", lines=everything)
    assert decision.amount_fen == 12000


def test_lines_only_go_with_a_refund_outcome(review, arbitrator):
    lines = [{"line": 0, "quantity": 1, "amount_fen": 100, "reason": "damaged"}]
    with pytest.raises(DomainError, match="Order lines"):
        decide(review, arbitrator, outcome="replacement", lines=lines)


def test_what_was_refunded_before_on_a_line_counts_against_it(basket, arbitrator):
    first = open_on(basket)
    services.dispute_escalate(dispute=first, party=first.buyer)
    decide(
        first,
        arbitrator,
        outcome="partial_refund",
        lines=[{"line": 0, "quantity": 2, "amount_fen": 3000, "reason": "damaged"}],
    )

    left = {line["index"]: line for line in remedies.order_lines(basket)}[0]
    assert (left["refunded_quantity"], left["refunded_fen"]) == (2, 3000)
    with pytest.raises(DomainError, match="between 1 and 1"):
        remedies.lines_check(
            basket, [{"line": 0, "quantity": 2, "amount_fen": 100, "reason": "damaged"}]
        )
    with pytest.raises(DomainError, match=r"at most ¥20\.00"):
        remedies.lines_check(
            basket, [{"line": 0, "quantity": 1, "amount_fen": 2001, "reason": "damaged"}]
        )


def test_an_order_without_lines_cannot_be_refunded_by_line(dispute):
    dispute.order.items = []
    dispute.order.save()
    with pytest.raises(DomainError, match="no item lines"):
        remedies.lines_check(
            dispute.order, [{"line": 0, "quantity": 1, "amount_fen": 1, "reason": "other"}]
        )


def test_the_database_refuses_a_line_above_its_price_or_without_an_owner(review, arbitrator):
    from django.db import IntegrityError, transaction

    decision = decide(review, arbitrator, outcome="no_refund")
    fields = {"line_index": 0, "title": "Mug", "unit_price_fen": 2000, "reason": "damaged"}
    with pytest.raises(IntegrityError), transaction.atomic():
        RefundLine.objects.create(decision=decision, quantity=1, amount_fen=2001, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RefundLine.objects.create(quantity=1, amount_fen=100, **fields)


def test_the_fulfilment_states_are_settled_and_carry_deadlines():
    assert lifecycle.FULFILMENT_STATES <= lifecycle.SETTLED_STATES
    assert lifecycle.FULFILMENT_STATES <= lifecycle.DEADLINE_STATES
    assert not lifecycle.FULFILMENT_STATES & lifecycle.ACTIVE_STATES
    assert Dispute.State.REFUNDING in lifecycle.TRANSITIONS["refund"].sources
