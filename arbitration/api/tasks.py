"""API housekeeping tasks (imported by the worker through ``CELERY_IMPORTS``: this package is
not a Django app, so autodiscovery does not find it)."""

from celery import shared_task

from .idempotency import idempotency_keys_purge


@shared_task
def purge_idempotency_keys() -> int:
    """Periodic (beat): drop idempotency keys older than their 24-hour replay window."""
    return idempotency_keys_purge()
