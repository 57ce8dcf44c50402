"""Webhook tasks: ids in, one service call, safe to run twice (the attempt is claimed)."""

from celery import shared_task

from . import services


@shared_task
def deliver_webhook(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task
def deliver_due_webhooks() -> int:
    """Periodic (beat): attempt every delivery whose retry time has come.

    Each is queued as its own task; the claim inside ``delivery_attempt`` makes sure an
    attempt is made once even if the sweep and an on-commit task race for it.
    """
    ids = services.due_delivery_ids()
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)
