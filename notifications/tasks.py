"""Notification tasks: ids in, idempotent, late-acknowledged so a killed worker's task reruns.

Rerunning is safe: rows are found again by their dedupe key and an e-mail once claimed is
never claimed again (``services.notification_email_send``).
"""

from celery import shared_task
from django.db import OperationalError

from arbitration.resilience import each

from . import reminders, services

# SMTP errors are OSErrors; a database that went away is worth a retry too.
TRANSIENT = (OSError, OperationalError)
RETRY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "max_retries": 8,
}


def _send_all(ids) -> int:
    return sum(
        services.notification_email_send(notification_id=pk) for pk in services.emails_pending(ids)
    )


@shared_task(**RETRY)
def notify_dispute_event(event_id: int) -> int:
    """After a dispute event commits: create its notifications and send their e-mails."""
    return _send_all(services.notifications_for_event(event_id=event_id))


@shared_task(**RETRY)
def notify_credit_tier_changed(
    party_id: int, old_tier: str, new_tier: str, score: int, at: str
) -> int:
    notification = services.credit_tier_notify(
        party_id=party_id, old_tier=old_tier, new_tier=new_tier, score=score, at=at
    )
    return _send_all([notification.pk]) if notification else 0


@shared_task(**RETRY)
def notify_credit_appeal_decided(appeal_id: int) -> int:
    notification = services.credit_appeal_notify(appeal_id=appeal_id)
    return _send_all([notification.pk]) if notification else 0


@shared_task(**RETRY)
def notify_credit_proposal_reviewed(proposal_id: int) -> int:
    notification = services.credit_proposal_notify(proposal_id=proposal_id)
    return _send_all([notification.pk]) if notification else 0


@shared_task(**RETRY)
def send_notification_email(notification_id: int) -> bool:
    return services.notification_email_send(notification_id=notification_id)


@shared_task(acks_late=True)
def remind_deadlines() -> int:
    """Periodic (beat): create the deadline reminders due now and e-mail them."""
    return each(reminders.deadline_reminders_send(), _send_email, what="Reminder e-mail enqueue")


@shared_task(acks_late=True)
def sweep_notifications() -> int:
    """Periodic (beat): process events and e-mails whose on-commit task never ran."""
    events = each(services.events_unprocessed(), _send_event, what="Notification enqueue")
    emails = services.emails_pending(grace=services.SWEEP_GRACE)
    return events + each(emails, _send_email, what="E-mail enqueue")


def _send_event(event_id: int) -> bool:
    notify_dispute_event.delay(event_id)
    return True


def _send_email(notification_id: int) -> bool:
    send_notification_email.delay(notification_id)
    return True
