"""End to end with a real Celery worker process on the real broker and the test database.

The worker is started as ``celery -A arbitration worker`` with the environment pointed at
this test run's database (the SQLite file or the PostgreSQL test database) and broker
(Redis when ``REDIS_URL`` is set, else the file broker under ``TIANPING_VAR_DIR``). It
listens on a queue of its own, so other test runs sharing the broker never steal its tasks.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from arbitration import services
from arbitration.celery import app
from arbitration.models import Dispute, Refund
from arbitration.tasks import expire_overdue_disputes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 90
SETTLE_TIMEOUT = 60


def _database_url() -> str:
    """A URL for the database this test run uses (the test database, not the dev one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def _worker_env(storage: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="arbitration.settings",
        DATABASE_URL=_database_url(),
        TIANPING_VAR_DIR=str(settings.VAR_DIR),
        PRIVATE_MEDIA_ROOT=str(storage),
        CELERY_TASK_ALWAYS_EAGER="false",
        EVIDENCE_SWEEP_SECONDS="3600",
        PYTHONUNBUFFERED="1",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    return env


def _wait_until(check, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what}.\n{log.read_text()}")


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    """A real worker process on a private queue; always stopped, its log printed at teardown
    (pytest shows it when the test fails)."""
    queue = f"e2e-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    storage = settings.STORAGES["default"]["OPTIONS"]["location"]
    command = [
        sys.executable, "-m", "celery", "-A", "arbitration", "worker",
        "--loglevel", "info", "--queues", queue, "--concurrency", "1",
        "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    previous_queue = app.conf.task_default_queue
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_worker_env(Path(storage)),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:

        def ready():
            if process.poll() is not None:
                pytest.fail(f"The worker exited with {process.returncode}.\n{log.read_text()}")
            return " ready." in log.read_text()

        _wait_until(ready, READY_TIMEOUT, "the worker to be ready", log)
        app.conf.task_default_queue = queue
        yield log
    finally:
        app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        print(f"--- worker log ({queue}) ---\n{log.read_text()}")


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

    _wait_until(
        lambda: _state(dispute) == "refunded", SETTLE_TIMEOUT, "the refund to be paid", worker
    )
    refund = Refund.objects.get(dispute=dispute)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.amount_fen == 4000
    assert refund.reference == f"LOCAL-{refund.pk:08d}"
    assert "execute_refund" in worker.read_text()
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

    _wait_until(
        lambda: _state(dispute) == "expired", SETTLE_TIMEOUT, "the dispute to expire", worker
    )
    assert dispute.offers.get().status == "lapsed"
    assert dispute.events.filter(action="expire", actor="system").exists()
