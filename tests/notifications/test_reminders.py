"""Deadline reminders on a frozen clock: at the right times, not before, not twice, and only
for the party whose move it is."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from arbitration import services
from arbitration.models import Dispute
from notifications import tasks
from notifications.models import Notification
from notifications.reminders import deadline_reminders_send
from webhooks.models import EventType, WebhookEvent

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DUE = T0 + timedelta(hours=48)  # the merchant's default response window
Kind = Notification.Kind


def at(moment, call, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return call(*args, **kwargs)


@pytest.fixture
def claim(order, buyer):
    """A not-received claim opened at T0: the merchant must answer by T0 + 48 h."""
    return at(
        T0,
        services.dispute_open,
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="Never arrived.",
    )


def reminders():
    return Notification.objects.filter(kind=Kind.DEADLINE_APPROACHING).order_by("pk")


def sweep(moment):
    return at(moment, deadline_reminders_send)


def test_no_reminder_before_the_first_window(claim):
    assert sweep(DUE - timedelta(hours=24, minutes=1)) == []
    assert not reminders().exists()


def test_the_merchant_is_reminded_24_and_2_hours_before(claim, merchant, buyer):
    assert len(sweep(DUE - timedelta(hours=24))) == 1
    assert sweep(DUE - timedelta(hours=23)) == []  # not twice
    assert sweep(DUE - timedelta(hours=2, minutes=1)) == []
    assert len(sweep(DUE - timedelta(hours=2))) == 1
    assert sweep(DUE - timedelta(minutes=30)) == []
    assert [(n.recipient, n.context["hours"]) for n in reminders()] == [
        (merchant, 24),
        (merchant, 2),
    ]
    assert not reminders().filter(recipient=buyer).exists()


def test_each_reminder_emits_the_webhook_once(claim):
    sweep(DUE - timedelta(hours=20))
    sweep(DUE - timedelta(hours=19))
    events = WebhookEvent.objects.filter(type=EventType.DEADLINE_APPROACHING)
    assert events.count() == 1
    assert events.get().payload["hours_before"] == 24
    assert events.get().payload["id"] == claim.pk


def test_a_deadline_first_seen_inside_both_windows_reminds_once_with_the_nearest(claim):
    assert len(sweep(DUE - timedelta(minutes=90))) == 1
    assert sweep(DUE - timedelta(minutes=80)) == []
    assert [n.context["hours"] for n in reminders()] == [2]


def test_no_reminder_after_the_deadline(claim):
    assert sweep(DUE + timedelta(minutes=1)) == []


def test_a_moved_deadline_earns_new_reminders_for_the_new_side(claim, merchant, buyer):
    sweep(DUE - timedelta(hours=24))
    offered = DUE - timedelta(hours=10)
    at(offered, services.offer_make, dispute=claim, party=merchant, amount_fen=3000)
    claim.refresh_from_db()
    buyer_due = claim.deadline_at  # 72 h for the buyer to answer
    assert buyer_due == offered + timedelta(hours=72)
    assert sweep(offered + timedelta(minutes=1)) == []
    assert len(sweep(buyer_due - timedelta(hours=24))) == 1
    last = reminders().last()
    assert last.recipient == buyer
    assert last.context["due_at"] == buyer_due.isoformat()


def test_nobody_is_reminded_while_an_arbitrator_has_the_move(claim):
    at(T0 + timedelta(hours=1), services.dispute_escalate, dispute=claim)
    claim.refresh_from_db()
    assert claim.waiting_on == Dispute.Side.ARBITRATOR
    Dispute.objects.filter(pk=claim.pk).update(deadline_at=T0 + timedelta(hours=5))
    assert sweep(T0 + timedelta(hours=4)) == []


def test_a_finished_dispute_is_not_reminded(claim, merchant):
    at(T0 + timedelta(hours=1), services.merchant_accept_claim, dispute=claim, party=merchant)
    assert sweep(DUE - timedelta(hours=2)) == []


def test_the_platform_chooses_its_windows(claim, platform):
    platform.deadline_reminder_hours = [36, "junk", -1, 1]
    platform.save(update_fields=["deadline_reminder_hours"])
    assert sweep(DUE - timedelta(hours=25)) != []
    assert [n.context["hours"] for n in reminders()] == [36]


def test_the_beat_task_mails_the_reminder(claim, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert at(DUE - timedelta(hours=20), tasks.remind_deadlines) == 1
    assert at(DUE - timedelta(hours=19), tasks.remind_deadlines) == 0
    assert [m.to for m in mail.outbox] == [["shop@example.com"]]
    assert claim.reference in mail.outbox[0].subject


def test_a_sweep_costs_a_fixed_number_of_queries(claim, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # platforms, candidates, already sent
        sweep(DUE - timedelta(hours=30))
