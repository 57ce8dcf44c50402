"""Paying out: the refund task runs after commit, settles the dispute, and pays once."""

import pytest

from arbitration import services
from arbitration.celery import app
from arbitration.models import DisputeEvent, Refund
from arbitration.tasks import execute_refund


def not_notifications(callbacks):
    """On-commit callbacks other than the notifications every dispute event queues."""
    return [c for c in callbacks if not c.__qualname__.startswith("dispute_event_committed")]


@pytest.fixture
def eager(settings):
    """Run Celery tasks in-process.

    ``app.conf`` reads the Django settings object live, so the ``settings`` fixture both turns
    eager mode on and restores it afterwards; the assert proves Celery sees it.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is True


@pytest.fixture
def review(dispute, buyer):
    services.dispute_escalate(dispute=dispute, party=buyer)
    return dispute


def refund_events(dispute):
    return DisputeEvent.objects.filter(dispute=dispute, action="refund")


def test_the_refund_waits_for_the_commit(review, arbitrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dispute_decide(
            dispute=review, user=arbitrator, outcome="partial_refund", percent=40, reasoning="r"
        )

    assert len(not_notifications(callbacks)) == 1  # the refund
    review.refresh_from_db()
    assert review.state == "decided"
    assert Refund.objects.get().status == "pending"


def test_a_decision_with_money_ends_refunded(
    review, arbitrator, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_decide(
            dispute=review, user=arbitrator, outcome="partial_refund", percent=40, reasoning="r"
        )

    review.refresh_from_db()
    assert review.state == "refunded"
    refund = Refund.objects.get()
    assert (refund.status, refund.amount_fen) == ("succeeded", 4000)
    assert refund.reference == f"LOCAL-{refund.pk:08d}"
    assert refund.completed_at is not None
    event = refund_events(review).get()
    assert (event.from_state, event.to_state, event.actor) == ("decided", "refunded", "system")
    assert event.payload == {"amount_fen": 4000, "reference": refund.reference}


def test_running_the_refund_twice_pays_once(
    review, arbitrator, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_decide(
            dispute=review, user=arbitrator, outcome="full_refund", reasoning="r"
        )
    refund = Refund.objects.get()
    paid_at = refund.completed_at

    execute_refund.delay(refund.pk)
    execute_refund(refund.pk)

    refund.refresh_from_db()
    assert (refund.status, refund.completed_at) == ("succeeded", paid_at)
    assert refund_events(review).count() == 1
    review.refresh_from_db()
    assert review.state == "refunded"


def test_an_agreement_is_paid_too(
    dispute, buyer, merchant, eager, django_capture_on_commit_callbacks
):
    services.offer_make(dispute=dispute, party=merchant, percent=30)

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(dispute=dispute, party=buyer)

    dispute.refresh_from_db()
    assert dispute.state == "refunded"
    assert Refund.objects.get().amount_fen == 3000


def test_a_no_refund_decision_closes_without_paying(
    review, arbitrator, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.dispute_decide(dispute=review, user=arbitrator, outcome="no_refund", reasoning="r")

    review.refresh_from_db()
    assert review.state == "closed"
    assert not_notifications(callbacks) == []
    assert not Refund.objects.exists()
    assert not refund_events(review).exists()
