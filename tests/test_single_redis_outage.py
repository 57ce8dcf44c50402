"""The production shape: one Redis is both the Celery broker and Django's cache. With it
down, an upload is stored ``pending`` (never a 500 because of the enqueue) and analysed once
Redis is back.

The Redis is a private ``redis-server`` (``tests/fixtures/redis_server.py``), stopped in the
middle of the test. The API's throttle and the pages' rate limits read the same cache and
stay on: they degrade to per-process counters (``tests/test_cache_outage.py``), so the upload
path runs whole, as a client meets it.
"""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_key_create
from evidence import analysis
from evidence.models import Evidence
from evidence.services import evidence_add
from tests.conftest import jpeg_upload
from tests.pages.conftest import client_for
from tests.worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _pending(rows) -> bool:
    return all(e.analysis == "pending" and e.analysis_queued_at for e in rows)


def test_an_upload_through_the_api_is_stored_pending(single_redis, dispute, caplog):
    _key, plaintext = api_key_create(platform=dispute.platform, name="orders service")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    single_redis.stop()

    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        response = client.post(
            f"/api/v1/disputes/{dispute.pk}/evidence",
            {"party": "merchant", "files": [jpeg_upload("packing.jpg")]},
            format="multipart",
        )

    assert response.status_code == 201
    [item] = response.json()
    assert item["analysis"] == "pending"
    assert _pending(Evidence.objects.filter(uid=item["uid"]))
    assert "in on_commit()" in caplog.text


def test_an_upload_through_the_pages_is_stored_pending(single_redis, dispute, merchant):
    client = client_for(merchant.user)
    single_redis.stop()

    response = client.post(
        reverse("evidence_upload", kwargs={"pk": dispute.pk}),
        {"files": [jpeg_upload("packing.jpg")], "caption": "Foam"},
    )

    assert response.status_code == 302
    item = Evidence.objects.get(dispute=dispute, role=Evidence.Role.MERCHANT)
    assert _pending([Evidence.objects.get(pk=item.pk)])


def test_an_upload_during_the_outage_is_analysed_once_redis_is_back(
    single_redis, start_worker, dispute, buyer
):
    single_redis.stop()
    [item] = evidence_add(
        order=dispute.order,
        party=buyer,
        files=[jpeg_upload("courier.jpg", color=(10, 200, 30))],
        role=Evidence.Role.BUYER,
        dispute=dispute,
    )
    assert _pending([Evidence.objects.get(pk=item.pk)])

    single_redis.start()
    worker = start_worker(redis_url=single_redis.url)
    later = timezone.now() + analysis.stale_pending() + timedelta(seconds=1)
    assert item.pk in analysis.stale_evidence_ids(now=later)
    analysis.requeue_stale(now=later)
    wait_until(
        lambda: Evidence.objects.get(pk=item.pk).analysis == Evidence.Analysis.DONE,
        60,
        "the analysis after Redis came back",
        worker,
    )
