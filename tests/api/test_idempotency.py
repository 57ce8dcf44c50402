"""Idempotency-Key: the same key and body replay the first response; another body is a 409."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import IdempotencyKey
from arbitration.models import Dispute, Order
from tests.api.conftest import error_of
from tests.api.test_orders import order_body
from tests.conftest import jpeg_upload


def test_a_replayed_post_returns_the_stored_response_without_running_again(client_a):
    first = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(client_a):
    client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    response = client_a.post(
        "/api/v1/orders", order_body(amount_fen=1), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "idempotency_conflict"
    assert Order.objects.get().amount_fen == 12800


def test_a_request_still_running_with_the_key_is_a_conflict(client_a, platform):
    """The row of an unfinished request (no response yet) stands for a concurrent duplicate."""
    first = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201
    IdempotencyKey.objects.filter(platform=platform, key="k1").update(response_status=None)
    response = client_a.post(
        "/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "idempotency_in_progress"


def test_an_error_response_is_replayed_too(client_a, order):
    body = {"order": order.external_id, "reason": "damaged", "remedy": "refund_only"}
    first = client_a.post("/api/v1/disputes", body, format="json", HTTP_IDEMPOTENCY_KEY="e1")
    again = client_a.post("/api/v1/disputes", body, format="json", HTTP_IDEMPOTENCY_KEY="e1")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_a_multipart_upload_is_replayed_by_its_file_contents(client_a, order):
    def post(photo):
        body = {
            "order": order.external_id,
            "reason": "damaged",
            "remedy": "refund_only",
            "description": "Cracked.",
            "files": [photo],
        }
        return client_a.post(
            "/api/v1/disputes", body, format="multipart", HTTP_IDEMPOTENCY_KEY="m1"
        )

    first, again = post(jpeg_upload()), post(jpeg_upload())
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Dispute.objects.count() == 1
    other = post(jpeg_upload(color=(0, 0, 255)))
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_conflict"


def test_keys_belong_to_one_platform(client_a, client_b):
    a = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    b = client_b.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b
    assert Order.objects.count() == 2


def test_a_key_expires_after_a_day(client_a, platform):
    client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = client_a.post(
        "/api/v1/orders", order_body(amount_fen=1), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response
    assert Order.objects.get().amount_fen == 1


def test_an_overlong_key_names_the_header(client_a):
    response = client_a.post(
        "/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 300
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in error_of(response)["details"]
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_gets_a_409_while_the_first_runs(api_client, monkeypatch):
    """The first request holds its key while it runs; a duplicate arriving meanwhile is refused
    at once instead of creating a second order."""
    from django.db import connection

    from arbitration.api import views
    from tests.factories import PlatformFactory

    client = api_client(PlatformFactory())
    started, release = threading.Event(), threading.Event()
    parse = views.read_input

    def slow_input(*args, **kwargs):
        started.set()
        assert release.wait(10)
        return parse(*args, **kwargs)

    monkeypatch.setattr(views, "read_input", slow_input)
    results = {}

    def first():
        try:
            results["first"] = client.post(
                "/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="c1"
            )
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    monkeypatch.setattr(views, "read_input", parse)
    duplicate = client.post(
        "/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="c1"
    )
    release.set()
    thread.join(10)
    assert duplicate.status_code == 409
    assert error_of(duplicate)["code"] == "idempotency_in_progress"
    assert results["first"].status_code == 201
    assert Order.objects.count() == 1


@pytest.mark.parametrize("memory_limit", [2 * 1024 * 1024, 0])  # in memory, a temporary file
def test_an_evidence_upload_with_other_file_contents_is_a_conflict(
    client_a, dispute, settings, memory_limit
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_limit
    size = (64, 48)

    def post(photo):
        return client_a.post(
            f"/api/v1/disputes/{dispute.pk}/evidence",
            {"party": "merchant", "files": [photo]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="ev-1",
        )

    first = post(jpeg_upload("same-name.jpg", size=size))
    again = post(jpeg_upload("same-name.jpg", size=size))
    other = post(jpeg_upload("same-name.jpg", size=size, color=(0, 0, 255)))

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_conflict"
    assert dispute.evidence.filter(role="merchant").count() == 1
