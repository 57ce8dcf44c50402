"""Celery tasks of the dispute domain: thin, idempotent, ids in, one service call."""

from celery import shared_task

from . import services
from .resilience import RETRY_TRANSIENT, each


@shared_task
def expire_overdue_disputes() -> int:
    """Periodic (beat): apply the expiry rule to disputes past their deadline, and lapse the
    evidence requests past theirs. Returns how many disputes moved."""
    from .services.requests import evidence_requests_lapse

    evidence_requests_lapse()
    return services.expire_overdue()


@shared_task(bind=True, max_retries=10, **RETRY_TRANSIENT)
def execute_refund(self, refund_id: int) -> None:
    """Pay a decided refund. A database or broker hiccup retries with backoff; if every
    retry fails, the refund is still ``pending`` and ``sweep_pending_refunds`` sends it again.

    In the embedded default the platform's payment rail is simulated: the refund settles
    at once with a local reference. Running it twice pays once (see ``refund_complete``).
    """
    services.refund_complete(refund_id=refund_id, reference=f"LOCAL-{refund_id:08d}")


@shared_task
def sweep_pending_refunds() -> int:
    """Periodic (beat): send the payment task again for refunds left ``pending``."""
    return each(services.refunds_due(), _send_refund, what="Refund enqueue")


def _send_refund(refund_id: int) -> bool:
    execute_refund.delay(refund_id)
    return True
