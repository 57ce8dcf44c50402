"""A refund is never lost: a broker outage at commit, a database hiccup in the payment task
and a lost message all end with the buyer paid, by retry or by the beat sweep."""

import logging
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from arbitration import services, tasks
from arbitration.models import Refund
from arbitration.tasks import execute_refund, sweep_pending_refunds

pytestmark = pytest.mark.usefixtures("eager")


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def review(dispute, buyer):
    services.dispute_escalate(dispute=dispute, party=buyer)
    return dispute


def broker_down(*args, **kwargs):
    raise BrokerDown("Error 111 connecting to 127.0.0.1:6399. Connection refused.")


def decide(review, arbitrator, capture):
    with capture(execute=True):
        services.dispute_decide(
            dispute=review, user=arbitrator, outcome="partial_refund", percent=40, reasoning="r"
        )


def test_a_broker_outage_at_commit_leaves_the_decision_and_a_pending_refund(
    review, arbitrator, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(execute_refund, "delay", broker_down)

    with caplog.at_level(logging.ERROR):
        decide(review, arbitrator, django_capture_on_commit_callbacks)

    review.refresh_from_db()
    assert review.state == "decided"
    assert Refund.objects.get().status == "pending"
    assert "in on_commit()" in caplog.text


def test_the_sweep_pays_a_refund_whose_task_was_lost(
    review, arbitrator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(execute_refund, "delay", broker_down)
    decide(review, arbitrator, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    refund = Refund.objects.get()
    assert services.refunds_due() == []  # within the grace the first task may still run

    Refund.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    assert sweep_pending_refunds() == 1

    refund.refresh_from_db()
    review.refresh_from_db()
    assert (refund.status, review.state) == ("succeeded", "refunded")
    assert services.refunds_due() == []


def test_one_refund_the_sweep_cannot_send_does_not_stop_the_others(dispute_in, monkeypatch, caplog):
    refunds = [
        Refund.objects.create(dispute=dispute_in("decided"), amount_fen=100) for _ in range(3)
    ]
    Refund.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    sent = []

    def send(refund_id):
        if refund_id == refunds[0].pk:
            raise BrokerDown("connection reset")
        sent.append(refund_id)

    monkeypatch.setattr(execute_refund, "delay", send)
    with caplog.at_level(logging.ERROR, logger="arbitration.resilience"):
        assert sweep_pending_refunds() == 2

    assert sent == [refunds[1].pk, refunds[2].pk]
    assert f"for {refunds[0].pk}" in caplog.text


def test_a_transient_database_error_in_the_payment_task_is_retried(
    review, arbitrator, monkeypatch, django_capture_on_commit_callbacks
):
    real = services.refund_complete
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(tasks.services, "refund_complete", flaky)
    decide(review, arbitrator, django_capture_on_commit_callbacks)

    assert len(calls) == 2
    review.refresh_from_db()
    assert review.state == "refunded"
    assert Refund.objects.get().status == "succeeded"
