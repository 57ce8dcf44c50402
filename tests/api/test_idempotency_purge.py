"""Idempotency keys are replayed for 24 hours; a beat task then deletes them in batches."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import IdempotencyKey
from arbitration.api.idempotency import EXPIRY, idempotency_keys_purge
from arbitration.api.tasks import purge_idempotency_keys
from arbitration.celery import app
from tests.api.test_idempotency import order_body


def make_keys(platform, count: int, *, age: timedelta, prefix: str) -> None:
    for n in range(count):
        IdempotencyKey.objects.create(
            platform=platform, key=f"{prefix}{n}", request_fingerprint="f", response_status=201
        )
    IdempotencyKey.objects.filter(key__startswith=prefix).update(created_at=timezone.now() - age)


def test_it_deletes_expired_keys_in_batches_and_keeps_fresh_ones(platform, other_platform):
    make_keys(platform, 5, age=EXPIRY + timedelta(minutes=1), prefix="old-")
    make_keys(other_platform, 2, age=EXPIRY + timedelta(days=3), prefix="older-")
    make_keys(platform, 3, age=EXPIRY - timedelta(minutes=1), prefix="new-")
    assert idempotency_keys_purge(batch_size=2) == 7
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == [
        "new-0",
        "new-1",
        "new-2",
    ]
    assert idempotency_keys_purge(batch_size=2) == 0


def test_the_task_runs_the_purge(settings, platform):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    make_keys(platform, 3, age=EXPIRY + timedelta(hours=1), prefix="old-")
    assert purge_idempotency_keys.delay().get() == 3
    assert not IdempotencyKey.objects.exists()


def test_a_purged_key_serves_a_new_request(client_a, platform):
    make_keys(platform, 1, age=EXPIRY + timedelta(hours=1), prefix="k")
    idempotency_keys_purge()
    response = client_a.post(
        "/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k0"
    )
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_beat_runs_it_hourly_and_the_worker_knows_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]
    assert entry["schedule"] == 3600
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
