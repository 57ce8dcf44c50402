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


def due_window(dispute: Dispute, hours: list[int], now: datetime) -> int | None:
    """The smallest reminder window the deadline is already inside, if any."""
    return _window(dispute.deadline_at, hours, now)


def _window(due_at: datetime, hours: list[int], now: datetime) -> int | None:
    left = due_at - now
    inside = [h for h in hours if left <= timedelta(hours=h)]
    return min(inside) if inside else None


def _remind(dispute: Dispute, hours: int) -> Notification | None:
    recipient = dispute.buyer if dispute.waiting_on == Dispute.Side.BUYER else dispute.merchant
    context = dispute_context(
        dispute, due_at=dispute.deadline_at.isoformat(), hours=hours, by=dispute.waiting_on
    )
    with transaction.atomic():
        notification, created = notification_create(
            recipient=recipient,
            kind=Notification.Kind.DEADLINE_APPROACHING,
            dedupe_key=reminder_key(dispute, hours),
            context=context,
            dispute=dispute,
        )
        if not created:
            return None
        webhooks_emit(
            platform=dispute.platform,
            type=EventType.DEADLINE_APPROACHING,
            data={**payloads.dispute_data(dispute), "hours_before": hours},
        )
    return notification


def _remind_request(request: EvidenceRequest, hours: int) -> Notification | None:
    dispute = request.dispute
    recipient = dispute.buyer if request.side == Dispute.Side.BUYER else dispute.merchant
    context = dispute_context(
        dispute,
        due_at=request.due_at.isoformat(),
        hours=hours,
        by="arbitrator",
        what=request.what,
        request=request.pk,
    )
    with transaction.atomic():
        notification, created = notification_create(
            recipient=recipient,
            kind=Notification.Kind.DEADLINE_APPROACHING,
            dedupe_key=request_reminder_key(request, hours),
            context=context,
            dispute=dispute,
        )
        if not created:
            return None
        webhooks_emit(
            platform=dispute.platform,
            type=EventType.DEADLINE_APPROACHING,
            data={
                **payloads.dispute_data(dispute),
                "hours_before": hours,
                "evidence_request": request_data(request),
            },
        )
    return notification


def _not_sent(keys) -> set[str]:
    sent = Notification.objects.filter(dedupe_key__in=list(keys)).values_list(
        "dedupe_key", flat=True
    )
    return set(keys) - set(sent)


def request_reminders_send(platform: Platform, hours: list[int], now: datetime) -> list[int]:
    """Remind the parties of the platform's open evidence requests due within a window."""
    candidates = (
        EvidenceRequest.objects.filter(
            dispute__platform=platform,
            status=EvidenceRequest.Status.OPEN,
            due_at__gt=now,
            due_at__lte=now + timedelta(hours=max(hours)),
        )
        .select_related(
            "dispute__order", "dispute__buyer", "dispute__merchant", "dispute__platform"
        )
        .order_by("due_at")
    )
    due = {}
    for request in candidates:
        window = _window(request.due_at, hours, now)
        if window is not None:
            due[request_reminder_key(request, window)] = (request, window)
    pending = _not_sent(due) if due else set()
    created = []
    for key, (request, window) in due.items():
        if key in pending and (notification := _remind_request(request, window)) is not None:
            created.append(notification.pk)
    return created


def deadline_reminders_send(*, now: datetime | None = None) -> list[int]:
    """Create the reminders due now; returns the new notifications' ids (to e-mail)."""
    now = now or timezone.now()
    created = []
    for platform in Platform.objects.all():
        hours = reminder_hours(platform)
        if not hours:
            continue
        created += request_reminders_send(platform, hours, now)
        # a deadline is only set while someone has a move (``lifecycle.apply`` clears it)
        candidates = (
            Dispute.objects.filter(
                platform=platform,
                waiting_on__in=SIDES,
                deadline_at__gt=now,
                deadline_at__lte=now + timedelta(hours=max(hours)),
            )
            .select_related("order", "buyer", "merchant", "platform")
            .order_by("deadline_at")
        )
        due = {}
        for dispute in candidates:
            window = due_window(dispute, hours, now)
            if window is not None:
                due[reminder_key(dispute, window)] = (dispute, window)
        if not due:
            continue
        sent = set(
            Notification.objects.filter(dedupe_key__in=list(due)).values_list(
                "dedupe_key", flat=True
            )
        )
        for key, (dispute, window) in due.items():
            if key not in sent and (notification := _remind(dispute, window)) is not None:
                created.append(notification.pk)
    return created
