"""Delivering an event: signed POST, logged attempts, backoff, rotation, redelivery, claims."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from webhooks import backoff, services, tasks
from webhooks.models import DeliveryAttempt, WebhookDelivery

from .conftest import verify

pytestmark = pytest.mark.django_db(transaction=False)


def _emit(platform, data=None):
    event = services.webhooks_emit(
        platform=platform, type="dispute.updated", data=data or {"object": "dispute", "id": 7}
    )
    return event, event.deliveries.get()


def test_it_posts_the_event_signed_with_the_endpoint_secret(platform, endpoint, receiver):
    event, delivery = _emit(platform)

    attempt = services.delivery_attempt(delivery_id=delivery.pk)

    headers, body = receiver.requests[0]
    assert verify(headers["Tianping-Signature"], body, endpoint.secret)
    assert not verify(headers["Tianping-Signature"], body, "whsec_wrong")
    assert headers["Content-Type"] == "application/json"
    assert headers["Tianping-Event"] == "dispute.updated"
    assert headers["Tianping-Delivery"] == str(delivery.pk)
    assert receiver.json() == {
        "id": event.pk,
        "type": "dispute.updated",
        "created": int(event.created_at.timestamp()),
        "data": {"object": "dispute", "id": 7},
    }
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert (delivery.attempts, delivery.last_status_code) == (1, 200)
    assert delivery.next_attempt_at is None
    assert (attempt.status_code, attempt.response_excerpt) == (200, "ok")


def test_a_tampered_body_fails_verification(platform, endpoint, receiver):
    _event, delivery = _emit(platform)
    services.delivery_attempt(delivery_id=delivery.pk)
    headers, body = receiver.requests[0]
    assert not verify(headers["Tianping-Signature"], body.replace(b"7", b"8"), endpoint.secret)


def test_a_failing_receiver_gets_a_logged_attempt_and_a_retry_on_schedule(
    platform, endpoint, receiver
):
    receiver.status = 500
    _event, delivery = _emit(platform)
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        services.delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_status_code == 500
    assert delivery.last_response_excerpt == "receiver is broken"
    assert delivery.next_attempt_at == now + backoff.retry_delay(1)
    log = DeliveryAttempt.objects.get(delivery=delivery)
    assert (log.status_code, log.response_excerpt, log.error) == (500, "receiver is broken", "")

    with time_machine.travel(now + timedelta(seconds=30), tick=False):
        assert services.delivery_attempt(delivery_id=delivery.pk) is None  # not due yet
    with time_machine.travel(delivery.next_attempt_at, tick=False):
        services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == now + backoff.retry_delay(1) + backoff.retry_delay(2)
    assert len(receiver.requests) == 2


def test_only_the_first_500_characters_of_an_answer_are_kept(platform, endpoint, receiver):
    receiver.status = 502
    receiver.reply = "错".encode() * 100_000
    _event, delivery = _emit(platform)

    attempt = services.delivery_attempt(delivery_id=delivery.pk)

    assert attempt.response_excerpt == "错" * 500
    delivery.refresh_from_db()
    assert delivery.last_response_excerpt == "错" * 500


def test_an_unreachable_receiver_is_logged_as_an_error(platform, receiver):
    endpoint = services.endpoint_create(platform=platform, url=receiver.url)
    receiver.close()
    services.webhooks_emit(platform=platform, type="dispute.created", data={})
    delivery = endpoint.deliveries.get()

    services.delivery_attempt(delivery_id=delivery.pk)

    log = DeliveryAttempt.objects.get(delivery=delivery)
    assert log.status_code is None
    assert "ConnectionError" in log.error
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED


def test_it_gives_up_when_the_schedule_runs_out(platform, endpoint, receiver):
    receiver.status = 503
    _event, delivery = _emit(platform)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=19)

    services.delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.GAVE_UP
    assert delivery.next_attempt_at is None
    assert services.delivery_attempt(delivery_id=delivery.pk) is None


def test_a_delivered_event_is_not_sent_twice(platform, endpoint, receiver):
    _event, delivery = _emit(platform)
    services.delivery_attempt(delivery_id=delivery.pk)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_redelivery_sends_the_same_event_again_as_a_new_delivery(platform, endpoint, receiver):
    _event, delivery = _emit(platform)
    services.delivery_attempt(delivery_id=delivery.pk)

    fresh = services.delivery_redeliver(delivery=delivery)
    services.delivery_attempt(delivery_id=fresh.pk)

    assert fresh.pk != delivery.pk
    (_first_headers, first_body), (again_headers, again_body) = receiver.requests
    assert first_body == again_body
    assert again_headers["Tianping-Delivery"] == str(fresh.pk)
    assert verify(again_headers["Tianping-Signature"], again_body, endpoint.secret)
    assert delivery.attempt_log.count() == 1


def test_rotation_signs_with_both_secrets_during_the_grace_period(platform, endpoint, receiver):
    old = endpoint.secret
    rotated = services.endpoint_rotate_secret(endpoint=endpoint, grace=timedelta(hours=1))
    assert rotated.secret != old

    _event, delivery = _emit(platform)
    services.delivery_attempt(delivery_id=delivery.pk)
    headers, body = receiver.requests[0]
    assert headers["Tianping-Signature"].count("v1=") == 2
    assert verify(headers["Tianping-Signature"], body, rotated.secret)
    assert verify(headers["Tianping-Signature"], body, old)

    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        _event, delivery = _emit(platform)
        services.delivery_attempt(delivery_id=delivery.pk)
    headers, body = receiver.requests[1]
    assert headers["Tianping-Signature"].count("v1=") == 1
    assert verify(headers["Tianping-Signature"], body, rotated.secret)
    assert not verify(headers["Tianping-Signature"], body, old)


def test_the_sweep_claims_each_due_delivery_once(platform, endpoint, receiver, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    deliveries = [_emit(platform)[1] for _ in range(3)]
    assert tasks.deliver_due_webhooks.delay().get() == 3
    assert tasks.deliver_due_webhooks.delay().get() == 0
    for delivery in deliveries:
        tasks.deliver_webhook.delay(delivery.pk)  # a late duplicate of the on-commit task
    sent = sorted(headers["Tianping-Delivery"] for headers, _body in receiver.requests)
    assert sent == sorted(str(delivery.pk) for delivery in deliveries)


def test_a_claimed_attempt_is_not_claimed_again_by_a_second_worker(platform, endpoint):
    _event, delivery = _emit(platform)
    now = timezone.now()
    assert services._claim(delivery.pk, now) is True
    assert services._claim(delivery.pk, now) is False
    with time_machine.travel(now + services.LEASE + timedelta(seconds=1), tick=False):
        assert services._claim(delivery.pk, timezone.now()) is True  # the first worker died


def test_an_endpoint_gets_only_the_events_it_subscribed_to(platform, receiver):
    decided_only = services.endpoint_create(
        platform=platform, url=receiver.url, events=["dispute.decided"]
    )
    everything = services.endpoint_create(platform=platform, url=receiver.url)
    paused = services.endpoint_create(platform=platform, url=receiver.url, is_active=False)

    services.webhooks_emit(platform=platform, type="dispute.updated", data={})

    assert not decided_only.deliveries.exists()
    assert everything.deliveries.count() == 1
    assert not paused.deliveries.exists()


def test_delivery_refuses_a_private_address_when_not_allowed(platform, endpoint, settings):
    _event, delivery = _emit(platform)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False

    with translation.override("en"):
        services.delivery_attempt(delivery_id=delivery.pk)

    log = DeliveryAttempt.objects.get(delivery=delivery)
    assert log.status_code is None
    assert "public address" in log.error


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_attempt_send_it_once(platform, endpoint, receiver):
    """Both threads try the same due delivery at once; the conditional update picks one."""
    _event, delivery = _emit(platform)
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(services.delivery_attempt(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sum(result is not None for result in results) == 1
    assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
