"""Webhook use cases: emit events, manage endpoints, deliver and redeliver."""

import json
import secrets
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration.errors import DomainError

from . import backoff, signing, transport
from .addresses import check_url, destination
from .models import DeliveryAttempt, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

TIMEOUT_SECONDS = 10
# A claimed attempt owns its delivery this long; a worker that dies mid-POST is retried after.
LEASE = timedelta(minutes=5)
EXCERPT = 500
USER_AGENT = "Tianping-Webhooks/1"

Status = WebhookDelivery.Status


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import deliver_webhook

    for delivery_id in delivery_ids:
        transaction.on_commit(lambda pk=delivery_id: deliver_webhook.delay(pk), robust=True)


def webhooks_emit(*, platform, type: str, data: dict) -> WebhookEvent:
    """Log the event and queue one delivery per active endpoint that subscribed to it.

    Call it inside the domain service's transaction: a rolled-back change emits nothing,
    and the deliveries are sent only after commit (a broker outage is covered by the sweep).
    """
    event = WebhookEvent.objects.create(platform=platform, type=type, payload=data)
    endpoints = WebhookEndpoint.objects.filter(platform=platform, is_active=True)
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now)
        for endpoint in endpoints
        if endpoint.wants(type)
    )
    if deliveries and deliveries[0].pk is None:  # backends that don't return ids
        deliveries = list(event.deliveries.all())
    _enqueue([delivery.pk for delivery in deliveries])
    return event


def event_body(event: WebhookEvent) -> bytes:
    """The exact bytes POSTed (and signed): the same for every attempt of the event."""
    document = {
        "id": event.pk,
        "type": event.type,
        "created": int(event.created_at.timestamp()),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


# --- endpoints --------------------------------------------------------------------------------
def _check_events(events) -> list[str]:
    unknown = sorted(set(events) - set(EventType.values))
    if unknown:
        raise DomainError(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)},
            code="invalid_events",
            field="events",
        )
    return sorted(set(events))


@transaction.atomic
def endpoint_create(*, platform, url: str, events=(), is_active: bool = True) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        platform=platform,
        url=check_url(url),
        events=_check_events(events),
        is_active=is_active,
        secret=new_secret(),
    )


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    if "url" in changes:
        endpoint.url = check_url(changes["url"])
    if "events" in changes:
        endpoint.events = _check_events(changes["events"])
    if "is_active" in changes:
        endpoint.is_active = changes["is_active"]
    endpoint.save(update_fields=["url", "events", "is_active"])
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, grace: timedelta) -> WebhookEndpoint:
    """A new secret; the old one keeps signing alongside it until ``grace`` has passed."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if grace > timedelta(0):
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + grace
    else:
        endpoint.previous_secret, endpoint.previous_secret_expires_at = "", None
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


def signing_secrets(endpoint: WebhookEndpoint, now) -> list[str]:
    live = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > now:
        live.append(endpoint.previous_secret)
    return live


# --- delivery ---------------------------------------------------------------------------------
def _claim(delivery_id: int, now) -> bool:
    """Take the due attempt; 0 rows updated means another worker has it (or it isn't due)."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=[Status.PENDING, Status.FAILED],
            next_attempt_at__lte=now,
        ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1, updated_at=now)
    )


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes, now):
    """POST once to the addresses checked just now; returns (status code or None, excerpt,
    error)."""
    try:
        target = destination(endpoint.url)
    except DomainError as exc:
        return None, "", exc.message
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Tianping-Signature": signing.signature_header(
            signing_secrets(endpoint, now), timestamp, body
        ),
        "Tianping-Event": delivery.event.type,
        "Tianping-Delivery": str(delivery.pk),
    }
    reply = transport.post(target, body, headers, timeout=TIMEOUT_SECONDS, excerpt=EXCERPT)
    return reply.status, reply.excerpt, reply.error


def delivery_attempt(*, delivery_id: int) -> DeliveryAttempt | None:
    """Make the due attempt of a delivery, log it, and schedule the next one if it failed.

    Returns ``None`` when there is nothing to do (sent, given up, not due, or claimed by
    another worker), so a duplicate task is harmless.
    """
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    started = time.monotonic()
    code, excerpt, error = _post(delivery.endpoint, delivery, event_body(delivery.event), now)
    latency_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery,
            started_at=now,
            status_code=code,
            latency_ms=latency_ms,
            response_excerpt=excerpt,
            error=error,
        )
        if code is not None and 200 <= code < 300:
            status, next_at = Status.SUCCEEDED, None
        elif delay := backoff.retry_delay(delivery.attempts):
            status, next_at = Status.FAILED, now + delay
        else:
            status, next_at = Status.GAVE_UP, None
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            next_attempt_at=next_at,
            last_status_code=code,
            last_latency_ms=latency_ms,
            last_response_excerpt=excerpt or error,
            updated_at=timezone.now(),
        )
    return attempt


def due_delivery_ids(*, now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the event to the endpoint again as a new delivery; the old log stays as it was."""
    fresh = WebhookDelivery.objects.create(
        event_id=delivery.event_id, endpoint_id=delivery.endpoint_id, next_attempt_at=timezone.now()
    )
    _enqueue([fresh.pk])
    return fresh


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log; the events stay in the polling feed."""
    endpoint.delete()
