"""Who is told what: each dispute event reaches the right party, once."""

import pytest
from django.core import mail

from arbitration import lifecycle, services
from arbitration.models import DisputeEvent
from notifications import rules
from notifications.models import Notification, NotifiedEvent
from notifications.services import notifications_for_event

Kind = Notification.Kind


def told(party):
    return list(Notification.objects.filter(recipient=party).values_list("kind", flat=True))


def process_all():
    for event in DisputeEvent.objects.order_by("pk"):
        notifications_for_event(event_id=event.pk)


def test_opening_a_dispute_tells_the_merchant_only(dispute, buyer, merchant):
    process_all()
    assert told(merchant) == [Kind.DISPUTE_OPENED]
    assert told(buyer) == []
    note = Notification.objects.get(recipient=merchant)
    assert note.dispute == dispute
    assert note.context["reference"] == dispute.reference
    assert note.context["due_at"] == dispute.deadline_at.isoformat()


def test_an_offer_tells_the_buyer_and_its_answer_tells_the_merchant(dispute, buyer, merchant):
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)
    services.offer_reject(dispute=dispute, party=buyer)
    process_all()
    assert told(buyer) == [Kind.OFFER_MADE]
    assert sorted(told(merchant)) == sorted([Kind.DISPUTE_OPENED, Kind.OFFER_REJECTED])
    rejected = Notification.objects.get(kind=Kind.OFFER_REJECTED)
    assert rejected.context["amount_fen"] == 3000


def test_a_counter_offer_tells_the_merchant(dispute, buyer, merchant):
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)
    services.offer_make(dispute=dispute, party=buyer, amount_fen=6000)
    process_all()
    assert Kind.OFFER_COUNTERED in told(merchant)
    assert Kind.OFFER_COUNTERED not in told(buyer)


def test_an_accepted_offer_tells_the_offerer_and_the_decision_both_sides_once(
    dispute, buyer, merchant
):
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)
    services.offer_accept(dispute=dispute, party=buyer)
    process_all()
    process_all()  # twice: nothing new
    assert told(merchant).count(Kind.OFFER_ACCEPTED) == 1
    assert told(buyer).count(Kind.DECISION_MADE) == 1
    assert told(merchant).count(Kind.DECISION_MADE) == 1
    decision = Notification.objects.filter(kind=Kind.DECISION_MADE).first()
    assert decision.context["amount_fen"] == 3000
    assert decision.context["outcome"] == "partial_refund"


def test_a_completed_refund_tells_the_buyer(dispute, buyer, merchant):
    services.merchant_accept_claim(dispute=dispute, party=merchant)
    refund = dispute.refund
    services.refund_complete(refund_id=refund.pk, reference="R-1")
    process_all()
    assert Kind.REFUND_COMPLETED in told(buyer)
    assert Kind.REFUND_COMPLETED not in told(merchant)


def test_a_withdrawal_tells_the_merchant(dispute, buyer, merchant):
    services.dispute_withdraw(dispute=dispute, party=buyer)
    process_all()
    assert Kind.WITHDRAWN in told(merchant)
    assert Kind.WITHDRAWN not in told(buyer)


def test_a_system_escalation_tells_both_sides(dispute, buyer, merchant):
    services.dispute_escalate(dispute=dispute)
    process_all()
    assert Kind.ESCALATED in told(buyer)
    assert Kind.ESCALATED in told(merchant)


def test_an_evidence_request_tells_the_party_named(dispute, buyer, merchant):
    event = lifecycle.record(
        dispute,
        "request_evidence",
        actor=DisputeEvent.Actor.ARBITRATOR,
        payload={"side": "merchant", "what": "The courier's receipt", "due_at": None},
    )
    notifications_for_event(event_id=event.pk)
    assert told(merchant) == [Kind.EVIDENCE_REQUESTED]
    assert told(buyer) == []
    assert Notification.objects.get(recipient=merchant).context["what"] == "The courier's receipt"


def test_an_unknown_action_tells_nobody_and_does_not_fail(dispute):
    event = lifecycle.record(dispute, "something_new", actor=DisputeEvent.Actor.SYSTEM)
    assert notifications_for_event(event_id=event.pk) == []
    assert NotifiedEvent.objects.filter(event=event).exists()


def test_a_missing_event_is_nothing_to_do(db):
    assert notifications_for_event(event_id=987654) == []


@pytest.mark.parametrize(
    ("to", "actor", "payload", "sides"),
    [
        ("other", "buyer", {}, ["merchant"]),
        ("other", "merchant", {}, ["buyer"]),
        ("other", "system", {}, ["buyer", "merchant"]),
        ("named", "arbitrator", {"side": "buyer"}, ["buyer"]),
        ("named", "arbitrator", {"side": "both"}, ["buyer", "merchant"]),
        ("named", "arbitrator", {"side": "nonsense"}, []),
        ("both", "system", {}, ["buyer", "merchant"]),
    ],
)
def test_recipient_sides(to, actor, payload, sides):
    assert rules.recipient_sides(rules.Rule("x", to), actor, payload) == sides


def test_a_party_without_a_login_is_notified_in_the_app_but_not_mailed(dispute, merchant):
    merchant.user = None
    merchant.save(update_fields=["user"])
    from notifications.tasks import notify_dispute_event

    event = dispute.events.get(action="submit")
    assert notify_dispute_event(event.pk) == 0
    assert told(merchant) == [Kind.DISPUTE_OPENED]
    assert mail.outbox == []


def test_a_claim_settled_at_once_tells_the_merchant_without_a_stale_deadline(dispute, merchant):
    """A fast refund decides the claim right after it is sent: there is nothing to answer."""
    from arbitration.models import Dispute
    from notifications import messages

    Dispute.objects.filter(pk=dispute.pk).update(state="decided", deadline_at=None)
    notifications_for_event(event_id=dispute.events.get(action="submit").pk)
    note = Notification.objects.get(recipient=merchant)
    assert "due_at" not in note.context
    assert "Answer by" not in messages.body(note)


def test_a_shipping_step_tells_the_side_waiting_for_it(dispute, buyer, merchant):
    from notifications import messages

    event = lifecycle.record(
        dispute,
        "ship_replacement",
        actor=DisputeEvent.Actor.MERCHANT,
        payload={"carrier": "SF", "tracking_number": "SF1234567890"},
    )
    notifications_for_event(event_id=event.pk)
    note = Notification.objects.get(recipient=buyer)
    assert note.kind == Kind.SHIPMENT
    assert "SF1234567890" in messages.body(note)
    assert told(merchant) == []
