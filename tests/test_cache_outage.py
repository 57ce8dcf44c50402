"""Redis down, in production's shape (one ``REDIS_URL`` for the broker and the cache): rate
limits and the API throttle degrade to per-process counters with a warning, and nothing a
client sends gets a 500. Uploads are kept ``pending`` for the sweeper.

A private ``redis-server`` on a free port, stopped by the test; never the shared one.
"""

import logging
import threading

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import api_key_create
from arbitration.api.auth import ApiKeyThrottle
from evidence.models import Evidence
from tests.conftest import jpeg_upload


def _api(platform) -> APIClient:
    _key, plaintext = api_key_create(platform=platform, name="outage")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_nothing_gets_a_500(single_redis, platform, dispute, buyer, caplog):
    api = _api(platform)
    assert api.get(f"/api/v1/disputes/{dispute.pk}").status_code == 200
    single_redis.stop()

    with caplog.at_level(logging.WARNING):
        assert api.get(f"/api/v1/disputes/{dispute.pk}").status_code == 200
        uploaded = api.post(
            f"/api/v1/disputes/{dispute.pk}/evidence",
            {"party": "merchant", "files": [jpeg_upload("box.jpg")]},
            format="multipart",
        )
        login = Client().post(
            reverse("login"), {"username": buyer.user.username, "password": "pw-for-tests-1"}
        )
        page = Client()
        page.force_login(buyer.user)
        web_upload = page.post(
            reverse("evidence_upload", kwargs={"pk": dispute.pk}), {"files": [jpeg_upload()]}
        )
        plain = page.get(reverse("dispute", kwargs={"pk": dispute.pk}))

    assert uploaded.status_code == 201
    assert uploaded.json()[0]["analysis"] == "pending"
    assert login.status_code == 302
    assert web_upload.status_code == 302
    assert plain.status_code == 200
    assert Evidence.objects.filter(dispute=dispute).count() == 3
    assert set(Evidence.objects.values_list("analysis", flat=True)) == {"pending"}
    assert "Redis cache unreachable" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_limits_still_hold_per_process_while_redis_is_down(single_redis, settings, buyer):
    settings.LOGIN_RATE_LIMIT = "2/m"
    single_redis.stop()
    statuses = [
        Client().post(reverse("login"), {"username": "x", "password": "y"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_the_api_throttle_is_atomic_under_parallel_clients(single_redis, monkeypatch):
    """48 requests at once through a 20/min budget on a real Redis counter: exactly 20 pass."""
    monkeypatch.setattr(ApiKeyThrottle, "rate", "20/min", raising=False)
    monkeypatch.setattr(ApiKeyThrottle, "timer", staticmethod(lambda: 1_000_030.0))  # one window
    cache.clear()
    request = type("Request", (), {"auth": ApiKey(pk=7)})()
    start = threading.Barrier(48)
    passed = []

    def call():
        throttle = ApiKeyThrottle()
        start.wait()
        passed.append(throttle.allow_request(request, None))

    threads = [threading.Thread(target=call) for _ in range(48)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert passed.count(True) == 20
    assert passed.count(False) == 28
