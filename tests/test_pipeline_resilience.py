"""The evidence pipeline loses nothing when a worker or the broker dies, and does nothing twice.

Real worker processes (``tests/worker.py``) on the test database; the broker is this run's
(file broker, or Redis with ``REDIS_URL``) except where a test needs to stop it: then it
is a private ``redis-server`` on a free loopback port. The sweeper is
``analysis.requeue_stale`` (what the beat task runs), called with its clock moved past the
staleness threshold instead of waiting minutes for it.
"""

import io
import logging
import os
import signal
import time
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from arbitration import services
from arbitration.models import Dispute
from arbitration.services.risk import dispute_risk
from evidence import analysis, forensics
from evidence.forensics.fingerprints import STORED_CROPS
from evidence.models import Evidence, Fingerprint, ForensicReport, Signal
from evidence.services import evidence_add
from evidence.tasks import analyze_evidence_task
from tests.fixtures.photos import camera_photo
from tests.worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SETTLE_TIMEOUT = 60


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    """A 12-MP camera-like JPEG (smooth shapes plus sensor noise): its analysis takes long
    enough to catch the worker in the middle of it."""
    rng = np.random.default_rng(12)
    coarse = rng.integers(0, 256, (61, 81, 3), dtype=np.uint8)
    smooth = Image.fromarray(coarse).resize((4000, 3000), Image.Resampling.BICUBIC)
    noisy = np.asarray(smooth, np.int16) + rng.normal(0, 3, (3000, 4000, 3)).astype(np.int16)
    out = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _open_dispute(order, buyer) -> Dispute:
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="The parcel never arrived; this is the photo the courier sent.",
        user=buyer.user,
    )


def _upload(dispute: Dispute, data: bytes) -> Evidence:
    [item] = evidence_add(
        order=dispute.order,
        party=dispute.buyer,
        files=[SimpleUploadedFile("courier.jpg", data, content_type="image/jpeg")],
        role=Evidence.Role.BUYER,
        dispute=dispute,
    )
    return item


def _analysis(item: Evidence) -> str:
    return Evidence.objects.values_list("analysis", flat=True).get(pk=item.pk)


def _signal_codes(data: bytes, order) -> list[str]:
    """What the engine finds in ``data`` on its own, for an order without listing photos."""
    report = forensics.analyze(data, forensics.Context(delivered_at=order.delivered_at))
    return sorted(signal.code for signal in report.signals)


def _assert_analysed_once(item: Evidence, data: bytes) -> None:
    assert _analysis(item) == Evidence.Analysis.DONE
    report = ForensicReport.objects.get(evidence=item)
    assert report.analyzer_version == forensics.ANALYZER_VERSION
    codes = list(Signal.objects.filter(report=report).values_list("code", flat=True))
    assert sorted(codes) == _signal_codes(data, item.order)
    assert Signal.objects.filter(report__evidence=item).count() == len(codes)
    assert Fingerprint.objects.filter(evidence=item).count() == len(STORED_CROPS)
    dispute = Dispute.objects.get(pk=item.dispute_id)
    assert dispute.risk_score == pytest.approx(dispute_risk(dispute))


def _sweep(after: timedelta) -> int:
    """Run the sweeper as if ``after`` (plus a second) had passed."""
    return analysis.requeue_stale(now=timezone.now() + after + timedelta(seconds=1))


def test_a_worker_killed_mid_analysis_is_replaced_and_the_sweeper_finishes_the_job(
    start_worker, big_jpeg, order, buyer
):
    dispute = _open_dispute(order, buyer)
    first = start_worker()
    item = _upload(dispute, big_jpeg)
    wait_until(
        lambda: _analysis(item) == Evidence.Analysis.RUNNING,
        SETTLE_TIMEOUT,
        "the analysis to start",
        first,
        interval=0.01,
    )

    first.kill()

    assert _analysis(item) == Evidence.Analysis.RUNNING
    assert not ForensicReport.objects.filter(evidence=item).exists()
    assert analysis.stale_evidence_ids() == []
    second = start_worker()
    assert _sweep(analysis.stale_running()) == 1
    wait_until(
        lambda: _analysis(item) == Evidence.Analysis.DONE,
        SETTLE_TIMEOUT,
        "the new worker to finish the analysis",
        first,
        second,
    )
    _assert_analysed_once(item, big_jpeg)
    assert "analyze_evidence_task" in first.output()
    assert "succeeded" in second.output()


def test_a_task_process_killed_mid_analysis_is_redelivered_without_the_sweeper(
    start_worker, big_jpeg, order, buyer
):
    """``acks_late`` + ``reject_on_worker_lost``: when only the pool process dies, the worker
    that survives puts the message back and runs it again."""
    dispute = _open_dispute(order, buyer)
    worker = start_worker()
    item = _upload(dispute, big_jpeg)
    wait_until(
        lambda: _analysis(item) == Evidence.Analysis.RUNNING,
        SETTLE_TIMEOUT,
        "the analysis to start",
        worker,
        interval=0.01,
    )

    [pool_pid] = worker.pool_pids()
    os.kill(pool_pid, signal.SIGKILL)

    wait_until(
        lambda: _analysis(item) == Evidence.Analysis.DONE,
        SETTLE_TIMEOUT,
        "the redelivered analysis to finish",
        worker,
    )
    _assert_analysed_once(item, big_jpeg)
    assert "WorkerLostError" in worker.output()


def test_an_upload_while_the_broker_is_down_is_kept_and_analysed_once_it_is_back(
    start_worker, private_broker, order, buyer, caplog
):
    dispute = _open_dispute(order, buyer)
    photo = camera_photo()
    private_broker.stop()

    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        item = _upload(dispute, photo)

    assert "in on_commit()" in caplog.text
    item.refresh_from_db()
    assert item.analysis == Evidence.Analysis.PENDING
    assert item.analysis_queued_at is not None
    assert item.original.storage.exists(item.original.name)
    assert analysis.stale_evidence_ids() == []

    private_broker.start()
    worker = start_worker(redis_url=private_broker.url)
    assert _sweep(analysis.stale_pending()) == 1
    wait_until(
        lambda: _analysis(item) == Evidence.Analysis.DONE,
        SETTLE_TIMEOUT,
        "the analysis after the broker came back",
        worker,
    )
    _assert_analysed_once(item, photo)


def _wait_for_writers_blocked_at_the_barrier(count: int, *workers) -> None:
    """PostgreSQL shows the deliveries waiting on the row lock; SQLite cannot show a writer
    waiting, so there the deliveries get a pause (they need milliseconds to get there)."""
    if connection.vendor != "postgresql":
        time.sleep(2)
        return

    def waiting() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] >= count

    wait_until(waiting, SETTLE_TIMEOUT, f"{count} deliveries to wait on the lock", *workers)


def _received(worker) -> bool:
    return "analyze_evidence_task" in worker.output() and " received" in worker.output()


def _finished(worker) -> bool:
    return "analyze_evidence_task" in worker.output() and " succeeded in " in worker.output()


def test_the_same_analysis_delivered_twice_at_once_makes_one_report(
    start_worker, big_jpeg, order, buyer, monkeypatch
):
    dispute = _open_dispute(order, buyer)
    # This test sends both deliveries itself, so the upload sends none.
    monkeypatch.setattr("evidence.services.enqueue_analysis", lambda ids: list(ids))
    item = _upload(dispute, big_jpeg)
    first, second = start_worker(), start_worker()

    with transaction.atomic():
        # A barrier: holding the evidence row (PostgreSQL) or the write lock (SQLite) stops
        # both deliveries at their first write, after both found no report yet.
        Evidence.objects.filter(pk=item.pk).update(analysis=Evidence.Analysis.PENDING)
        analyze_evidence_task.delay(item.pk)
        analyze_evidence_task.delay(item.pk)
        wait_until(
            lambda: _received(first) and _received(second),
            SETTLE_TIMEOUT,
            "each worker to take one delivery",
            first,
            second,
        )
        _wait_for_writers_blocked_at_the_barrier(2, first, second)

    wait_until(
        lambda: _finished(first) and _finished(second),
        SETTLE_TIMEOUT,
        "both deliveries to finish",
        first,
        second,
    )
    _assert_analysed_once(item, big_jpeg)


def test_a_delivery_that_loses_the_race_while_waiting_leaves_the_evidence_done(
    start_worker, big_jpeg, order, buyer, monkeypatch
):
    """The other delivery saves its report between this one's "no report yet?" check and
    its start; this one then finds the report at save time and must not leave the evidence
    ``running``."""
    dispute = _open_dispute(order, buyer)
    monkeypatch.setattr("evidence.services.enqueue_analysis", lambda ids: list(ids))
    item = _upload(dispute, big_jpeg)
    worker = start_worker()

    with transaction.atomic():
        Evidence.objects.filter(pk=item.pk).update(analysis=Evidence.Analysis.PENDING)
        analyze_evidence_task.delay(item.pk)
        wait_until(lambda: _received(worker), SETTLE_TIMEOUT, "the delivery", worker)
        _wait_for_writers_blocked_at_the_barrier(1, worker)
        analysis.analyze_evidence(item.pk)

    wait_until(lambda: _finished(worker), SETTLE_TIMEOUT, "the late delivery to finish", worker)
    _assert_analysed_once(item, big_jpeg)
