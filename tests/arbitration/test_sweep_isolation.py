"""Every beat sweep tries every item: a poison row is logged and skipped, the rest move, and
rows are walked in id order to the end so failing rows first in line starve nothing."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from arbitration import resilience, services
from arbitration.models import Dispute, EvidenceRequest
from arbitration.services import deadlines
from arbitration.services import requests as evidence_requests
from evidence import analysis
from evidence import tasks as evidence_tasks
from notifications import services as notification_services
from notifications import tasks as notification_tasks
from webhooks import tasks as webhook_tasks

PAST = timezone.now() - timedelta(hours=1)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(resilience, "PAGE", 2)


@pytest.fixture
def overdue(dispute_in):
    """Five disputes whose buyer never answered the merchant's offer (they expire)."""
    return [
        dispute_in("negotiating", waiting_on=Dispute.Side.BUYER, deadline_at=PAST) for _ in range(5)
    ]


def poison(pks, real):
    def step(dispute, *args, **kwargs):
        if dispute.pk in pks:
            raise RuntimeError(f"poison dispute {dispute.pk}")
        return real(dispute, *args, **kwargs)

    return step


def test_one_failing_dispute_does_not_stop_the_expiry_sweep(
    overdue, small_pages, monkeypatch, caplog
):
    bad = {overdue[0].pk, overdue[1].pk}  # first in line, a whole page of them
    monkeypatch.setattr(deadlines.lifecycle, "apply", poison(bad, deadlines.lifecycle.apply))

    with caplog.at_level(logging.ERROR, logger="arbitration.resilience"):
        assert services.expire_overdue() == 3

    states = dict(Dispute.objects.values_list("pk", "state"))
    assert [states[d.pk] for d in overdue] == ["negotiating"] * 2 + ["expired"] * 3
    assert f"Dispute expiry failed for {overdue[0].pk}" in caplog.text
    assert "poison dispute" in caplog.text


def test_the_failing_disputes_are_tried_again_next_tick(overdue, monkeypatch):
    bad = {overdue[0].pk}
    monkeypatch.setattr(deadlines.lifecycle, "apply", poison(bad, deadlines.lifecycle.apply))
    assert services.expire_overdue() == 4
    monkeypatch.undo()

    assert services.expire_overdue() == 1
    assert set(Dispute.objects.values_list("state", flat=True)) == {"expired"}


def test_one_failing_dispute_does_not_stop_the_evidence_request_lapse(
    dispute_in, arbitrator, small_pages, monkeypatch, caplog
):
    disputes = [dispute_in("under_review", waiting_on=Dispute.Side.ARBITRATOR) for _ in range(3)]
    for dispute in disputes:
        EvidenceRequest.objects.create(
            dispute=dispute, side="buyer", what="The box.", due_at=PAST, requested_by=arbitrator
        )
    real = evidence_requests._lapse_overdue

    def lapse(dispute, now):
        if dispute.pk == disputes[0].pk:
            raise RuntimeError("poison request")
        return real(dispute, now)

    monkeypatch.setattr(evidence_requests, "_lapse_overdue", lapse)

    with caplog.at_level(logging.ERROR, logger="arbitration.resilience"):
        assert evidence_requests.evidence_requests_lapse() == 2

    statuses = dict(EvidenceRequest.objects.values_list("dispute_id", "status"))
    assert [statuses[d.pk] for d in disputes] == ["open", "lapsed", "lapsed"]
    assert "poison request" in caplog.text


@pytest.mark.parametrize(
    ("sweep", "source", "task"),
    [
        (webhook_tasks.deliver_due_webhooks, (webhook_tasks.services, "due_delivery_ids"),
         webhook_tasks.deliver_webhook),
        (evidence_tasks.sweep_stale_evidence, (analysis, "stale_evidence_ids"),
         evidence_tasks.analyze_evidence_task),
        (notification_tasks.sweep_notifications, (notification_services, "emails_pending"),
         notification_tasks.send_notification_email),
    ],
)  # fmt: skip
def test_an_enqueue_that_fails_does_not_stop_the_other_sends(
    db, sweep, source, task, monkeypatch, caplog
):
    monkeypatch.setattr(*source, lambda *args, **kwargs: [11, 12, 13])
    monkeypatch.setattr(analysis, "stale_label_reads", lambda **kwargs: [])
    monkeypatch.setattr(notification_services, "events_unprocessed", lambda **kwargs: [])
    sent = []

    def delay(pk):
        if pk == 11:
            raise ConnectionError("broker connection reset")
        sent.append(pk)

    monkeypatch.setattr(task, "delay", delay)

    with caplog.at_level(logging.ERROR, logger="arbitration.resilience"):
        assert sweep() == 2

    assert sent == [12, 13]
    assert "broker connection reset" in caplog.text
