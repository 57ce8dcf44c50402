"""End to end with a real Celery worker process on the real broker and the test database.

The worker is started as ``celery -A arbitration worker`` with the environment pointed at
this test run's database (the SQLite file or the PostgreSQL test database) and broker
(Redis when ``REDIS_URL`` is set, else the file broker under ``TIANPING_VAR_DIR``). It
listens on a queue of its own, so other test runs sharing the broker never steal its tasks.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from arbitration import services
from arbitration.models import Dispute, Refund
from arbitration.tasks import expire_overdue_disputes
from tests.worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SETTLE_TIMEOUT = 60


def _state(dispute: Dispute) -> str:
    return Dispute.objects.values_list("state", flat=True).get(pk=dispute.pk)


def test_the_worker_pays_a_decided_partial_refund(worker, order, buyer, merchant, arbitrator):
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="Tracking says delivered, nothing arrived.",
        user=buyer.user,
    )
    services.dispute_escalate(dispute=dispute, party=merchant, user=merchant.user)

    services.dispute_decide(
        dispute=dispute,
        user=arbitrator,
        outcome="partial_refund",
        percent=40,
        reasoning="The parcel was left at a shared locker; half the risk each.",
    )
    assert _state(dispute) == "decided"

    wait_until(
        lambda: _state(dispute) == "refunded", SETTLE_TIMEOUT, "the refund to be paid", worker
    )
    refund = Refund.objects.get(dispute=dispute)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.amount_fen == 4000
    assert refund.reference == f"LOCAL-{refund.pk:08d}"
    assert "execute_refund" in worker.output()
    assert dispute.events.filter(action="refund", actor="system").count() == 1


def test_the_worker_expires_an_overdue_dispute_when_the_sweep_is_sent(
    worker, order, buyer, merchant
):
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="Never arrived.",
        user=buyer.user,
    )
    services.offer_make(dispute=dispute, party=merchant, percent=30, user=merchant.user)
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=timezone.now() - timedelta(hours=1))

    expire_overdue_disputes.delay()

    wait_until(
        lambda: _state(dispute) == "expired", SETTLE_TIMEOUT, "the dispute to expire", worker
    )
    assert dispute.offers.get().status == "lapsed"
    assert dispute.events.filter(action="expire", actor="system").exists()
