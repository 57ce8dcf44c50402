"""A request that committed is answered with its committed result, however its first answer
was lost; one that never committed runs again once its key's lease is over."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from accounts.models import IdempotencyKey
from arbitration import services
from arbitration.models import Decision, Dispute, Order, Refund
from arbitration.tasks import execute_refund
from tests.api.conftest import error_of
from tests.api.test_orders import order_body


def accept(client, dispute, key):
    return client.post(
        f"/api/v1/disputes/{dispute.pk}/offers/accept",
        {"party": "buyer"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.django_db(transaction=True)
def test_an_accept_while_the_broker_is_down_commits_answers_and_replays(
    client_a, dispute, merchant, monkeypatch
):
    """On-commit work really runs here (a transactional test), as in production."""
    services.offer_make(dispute=dispute, party=merchant, percent=30)

    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(execute_refund, "delay", broker_down)

    first = accept(client_a, dispute, "accept-1")
    again = accept(client_a, dispute, "accept-1")

    assert first.status_code == 200
    assert first.json()["state"] == "decided"
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == first.json()
    assert Decision.objects.filter(dispute=dispute).count() == 1
    assert Refund.objects.get(dispute=dispute).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_a_request_whose_answer_was_lost_after_commit_is_replayed(client_a, monkeypatch):
    """Something after the commit fails (here a non-robust on-commit hook): the client sees a
    500, yet the order exists, so its retry must get the order, not make another."""
    from django.db import transaction

    from arbitration.api import views

    real = views.services.order_upsert

    def then_fail_after_commit(**kwargs):
        result = real(**kwargs)
        transaction.on_commit(lambda: 1 / 0)
        return result

    monkeypatch.setattr(views.services, "order_upsert", then_fail_after_commit)
    lost = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="o-1")
    monkeypatch.setattr(views.services, "order_upsert", real)

    retry = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="o-1")

    assert lost.status_code == 500
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (201, "true")
    assert Order.objects.count() == 1
    assert retry.json()["external_id"] == Order.objects.get().external_id


def test_a_key_left_in_progress_by_a_dead_request_is_free_after_its_lease(
    client_a, platform, settings
):
    """A database crash left the row without a response; the request's writes never
    committed, so after the lease the retry runs (instead of 409 for 24 hours)."""
    settings.IDEMPOTENCY_LEASE_SECONDS = 60

    first = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="d1")
    row = IdempotencyKey.objects.get(platform=platform, key="d1")
    Order.objects.all().delete()
    IdempotencyKey.objects.filter(pk=row.pk).update(response_status=None, response_body=None)

    blocked = client_a.post(
        "/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="d1"
    )
    IdempotencyKey.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    retry = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="d1")
    again = client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="d1")

    assert first.status_code == 201
    assert blocked.status_code == 409
    assert error_of(blocked)["code"] == "idempotency_in_progress"
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Order.objects.count() == 1
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")


def test_an_expired_lease_is_not_taken_by_a_different_request(client_a, platform):
    client_a.post("/api/v1/orders", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="d2")
    IdempotencyKey.objects.filter(platform=platform, key="d2").update(
        response_status=None, created_at=timezone.now() - timedelta(minutes=5)
    )

    other = client_a.post(
        "/api/v1/orders", order_body(amount_fen=1), format="json", HTTP_IDEMPOTENCY_KEY="d2"
    )

    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_conflict"
    assert Order.objects.get().amount_fen == 12800


@pytest.mark.django_db(transaction=True)
def test_a_failed_request_rolls_back_and_frees_its_key(client_a, dispute, merchant, monkeypatch):
    services.offer_make(dispute=dispute, party=merchant, percent=30)
    from arbitration.api import offers

    def crash(*args, **kwargs):
        raise RuntimeError("the render broke after the accept")

    monkeypatch.setattr(offers, "dispute_detail_data", crash)
    failed = accept(client_a, dispute, "accept-2")
    monkeypatch.undo()

    assert failed.status_code == 500
    assert Dispute.objects.get(pk=dispute.pk).state == "negotiating"
    assert not IdempotencyKey.objects.filter(key="accept-2").exists()
    assert accept(client_a, dispute, "accept-2").status_code == 200
