"""Webhook tasks: ids in, one service call, safe to run twice (the attempt is claimed)."""

from celery import shared_task

from arbitration.resilience import each

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
    return each(services.due_delivery_ids(), _send, what="Webhook delivery enqueue")


def _send(delivery_id: int) -> bool:
    deliver_webhook.delay(delivery_id)
    return True
