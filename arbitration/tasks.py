"""Celery tasks of the dispute domain: thin, idempotent, ids in, one service call."""

from celery import shared_task

from . import services


@shared_task
def expire_overdue_disputes() -> int:
    """Periodic (beat): apply the expiry rule to disputes past their deadline, and lapse the
    evidence requests past theirs. Returns how many disputes moved."""
    from .services.requests import evidence_requests_lapse

    evidence_requests_lapse()
    return services.expire_overdue()


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=10)
def execute_refund(self, refund_id: int) -> None:
    """Pay a decided refund.

    In the embedded default the platform's payment rail is simulated: the refund settles
    at once with a local reference. Running it twice pays once (see ``refund_complete``).
    """
    services.refund_complete(refund_id=refund_id, reference=f"LOCAL-{refund_id:08d}")
