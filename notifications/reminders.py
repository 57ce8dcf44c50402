"""Deadline reminders: tell the party whose move it is, N hours before its deadline.

For each dispute inside a reminder window only the smallest window already reached is sent
(a deadline set 90 minutes ahead gets the 2-hour reminder, not the 24-hour one too), once per
(dispute, deadline, hours): a deadline that moves earns its reminders again.

An arbitrator's open evidence request is reminded the same way before its own ``due_at``, to
the side it asks, once per (request, hours).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Platform
from arbitration.models import Dispute, EvidenceRequest
from arbitration.resilience import each
from arbitration.services.requests import request_data
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .models import Notification
from .services import dispute_context, notification_create

SIDES = (Dispute.Side.BUYER, Dispute.Side.MERCHANT)


def reminder_hours(platform: Platform) -> list[int]:
    """The platform's reminder windows, ignoring anything that is not a positive number."""
    values = platform.deadline_reminder_hours or []
    return sorted({int(h) for h in values if isinstance(h, int | float) and h > 0})


def reminder_key(dispute: Dispute, hours: int) -> str:
    return f"deadline:{dispute.pk}:{int(dispute.deadline_at.timestamp())}:{hours}h"


def request_reminder_key(request: EvidenceRequest, hours: int) -> str:
    return f"evidence_request:{request.pk}:{hours}h"


def _window(due_at: datetime, hours: list[int], now: datetime) -> int | None:
    """The smallest reminder window ``due_at`` is already inside, if any."""
    left = due_at - now
    inside = [h for h in hours if left <= timedelta(hours=h)]
    return min(inside) if inside else None


def _remind(
    *, dispute: Dispute, recipient, key: str, hours: int, context: dict, data: dict
) -> Notification | None:
    """One reminder and its platform webhook, unless the key was already used."""
    with transaction.atomic():
        notification, created = notification_create(
            recipient=recipient,
            kind=Notification.Kind.DEADLINE_APPROACHING,
            dedupe_key=key,
            context=context,
            dispute=dispute,
        )
        if not created:
            return None
        webhooks_emit(
            platform=dispute.platform,
            type=EventType.DEADLINE_APPROACHING,
            data={**payloads.dispute_data(dispute), "hours_before": hours, **data},
        )
    return notification


def _remind_dispute(dispute: Dispute, hours: int) -> Notification | None:
    return _remind(
        dispute=dispute,
        recipient=dispute.buyer if dispute.waiting_on == Dispute.Side.BUYER else dispute.merchant,
        key=reminder_key(dispute, hours),
        hours=hours,
        context=dispute_context(
            dispute, due_at=dispute.deadline_at.isoformat(), hours=hours, by=dispute.waiting_on
        ),
        data={},
    )


def _remind_request(request: EvidenceRequest, hours: int) -> Notification | None:
    dispute = request.dispute
    return _remind(
        dispute=dispute,
        recipient=dispute.buyer if request.side == Dispute.Side.BUYER else dispute.merchant,
        key=request_reminder_key(request, hours),
        hours=hours,
        context=dispute_context(
            dispute,
            due_at=request.due_at.isoformat(),
            hours=hours,
            by="arbitrator",
            what=request.what,
            request=request.pk,
        ),
        data={"evidence_request": request_data(request)},
    )


def _send_due(items, *, due_at, key, remind, hours: list[int], now: datetime) -> list[int]:
    """Remind each item at the smallest window it has reached, skipping keys already sent
    (one query for the lot); returns the new notifications' ids."""
    due = {}
    for item in items:
        window = _window(due_at(item), hours, now)
        if window is not None:
            due[key(item, window)] = (item, window)
    if not due:
        return []
    sent = set(
        Notification.objects.filter(dedupe_key__in=list(due)).values_list("dedupe_key", flat=True)
    )
    created = []

    def one(entry) -> None:
        if (notification := remind(*entry)) is not None:
            created.append(notification.pk)

    each([entry for k, entry in due.items() if k not in sent], one, what="Deadline reminder")
    return created


def deadline_reminders_send(*, now: datetime | None = None) -> list[int]:
    """Create the reminders due now; returns the new notifications' ids (to e-mail)."""
    now = now or timezone.now()
    created = []
    for platform in Platform.objects.all():
        hours = reminder_hours(platform)
        if not hours:
            continue
        horizon = now + timedelta(hours=max(hours))
        requests = (
            EvidenceRequest.objects.filter(
                dispute__platform=platform,
                status=EvidenceRequest.Status.OPEN,
                due_at__gt=now,
                due_at__lte=horizon,
            )
            .select_related(
                "dispute__order", "dispute__buyer", "dispute__merchant", "dispute__platform"
            )
            .order_by("due_at")
        )
        created += _send_due(
            requests,
            due_at=lambda r: r.due_at,
            key=request_reminder_key,
            remind=_remind_request,
            hours=hours,
            now=now,
        )
        # a deadline is only set while someone has a move (``lifecycle.apply`` clears it)
        disputes = (
            Dispute.objects.filter(
                platform=platform,
                waiting_on__in=SIDES,
                deadline_at__gt=now,
                deadline_at__lte=horizon,
            )
            .select_related("order", "buyer", "merchant", "platform")
            .order_by("deadline_at")
        )
        created += _send_due(
            disputes,
            due_at=lambda d: d.deadline_at,
            key=reminder_key,
            remind=_remind_dispute,
            hours=hours,
            now=now,
        )
    return created
