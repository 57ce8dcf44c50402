"""An arbitrator's requests for more evidence, and the review clock they pause.

The review clock: entering ``under_review`` sets ``Dispute.review_due_at`` to now plus
``lifecycle.REVIEW_WINDOW``, the time by which an arbitrator should decide. While any request
to a party is open the clock stands still (``review_paused_at``); when the last open request
ends, fulfilled or lapsed at its due time, ``review_due_at`` moves on by the time it stood.

A party may add evidence while the dispute is under review only against an open request made
to its side; the first upload before the due time fulfils the request. A request still open
at its due time lapses (``evidence_requests_lapse``, run by the beat task; an overdue request
is treated as lapsed even before the task runs).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .. import lifecycle
from ..errors import DomainError, NotAllowed
from ..models import Dispute, DisputeEvent, EvidenceRequest
from ..resilience import each, keys_in_order
from .common import locked

Actor = DisputeEvent.Actor
Side = Dispute.Side
Status = EvidenceRequest.Status

MIN_NOTICE = timedelta(hours=1)
MAX_NOTICE = timedelta(days=14)


class NotUnderReview(DomainError):
    """Asking for evidence only makes sense while an arbitrator is reviewing."""

    code = "not_under_review"
    status = 409


def review_due(dispute: Dispute, now: datetime | None = None) -> datetime | None:
    """When the review is due, counting a pause still running as time not spent."""
    if dispute.review_due_at is None:
        return None
    if dispute.review_paused_at is None:
        return dispute.review_due_at
    return dispute.review_due_at + ((now or timezone.now()) - dispute.review_paused_at)


def open_request(dispute: Dispute, side: str, *, now=None, lock=False) -> EvidenceRequest | None:
    """The side's request that can still be answered (open and not yet due)."""
    requests = dispute.evidence_requests.filter(
        side=side, status=Status.OPEN, due_at__gt=now or timezone.now()
    )
    if lock:
        requests = requests.select_for_update()
    return requests.first()


def request_data(request: EvidenceRequest) -> dict:
    """The ``dispute.evidence_requested`` webhook body: ids, side, text and due time."""
    return {
        "object": "evidence_request",
        "id": request.pk,
        "dispute": request.dispute_id,
        "side": request.side,
        "what": request.what,
        "due_at": int(request.due_at.timestamp()),
        "status": request.status,
    }


@transaction.atomic
def evidence_request(
    *, dispute: Dispute, user, side: str, what: str, due_at: datetime
) -> EvidenceRequest:
    """Ask the buyer or the merchant for more evidence by ``due_at``; pauses the review clock."""
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can ask for evidence."))
    if side not in (Side.BUYER, Side.MERCHANT):
        raise DomainError(_("Choose whom to ask: the buyer or the merchant."), field="side")
    if not what.strip():
        raise DomainError(_("Say what evidence is needed."), field="what")
    now = timezone.now()
    if not now + MIN_NOTICE <= due_at <= now + MAX_NOTICE:
        raise DomainError(
            _("The due time must be between one hour and 14 days from now."), field="due_at"
        )
    dispute = locked(dispute)
    _lapse_overdue(dispute, now)
    if dispute.state != Dispute.State.UNDER_REVIEW:
        raise NotUnderReview(_("Evidence can only be requested while the dispute is under review."))
    if open_request(dispute, side, now=now, lock=True):
        raise DomainError(
            _("This party already has an open request; wait for it or its due time."),
            code="request_open",
            field="side",
        )
    request = EvidenceRequest.objects.create(
        dispute=dispute, side=side, what=what.strip(), due_at=due_at, requested_by=user
    )
    if dispute.review_paused_at is None:
        dispute.review_paused_at = now
        dispute.save(update_fields=["review_paused_at", "updated_at"])
    lifecycle.record(
        dispute,
        "request_evidence",
        actor=Actor.ARBITRATOR,
        user=user,
        payload={
            "request": request.pk,
            "side": side,
            "what": request.what,
            "due_at": due_at.isoformat(),
        },
    )
    webhooks_emit(
        platform=dispute.platform, type=EventType.EVIDENCE_REQUESTED, data=request_data(request)
    )
    return request


def _resume(dispute: Dispute, end: datetime) -> None:
    """End the pause once no request is left open; the due time moves on by its length.

    The pause ends when the last request ended: ``end`` or a later close of another request.
    """
    if dispute.review_paused_at is None:
        return
    if dispute.evidence_requests.filter(status=Status.OPEN).exists():
        return
    latest = dispute.evidence_requests.filter(closed_at__gte=dispute.review_paused_at).aggregate(
        latest=Max("closed_at")
    )["latest"]
    end = max(end, latest or end)
    if dispute.review_due_at is not None:
        dispute.review_due_at += max(end - dispute.review_paused_at, timedelta(0))
    dispute.review_paused_at = None
    dispute.save(update_fields=["review_due_at", "review_paused_at", "updated_at"])


def _lapse_overdue(dispute: Dispute, now: datetime) -> int:
    """Lapse the dispute's requests past their due time (lock held); each ends at its due."""
    overdue = list(
        dispute.evidence_requests.select_for_update()
        .filter(status=Status.OPEN, due_at__lte=now)
        .order_by("due_at")
    )
    for request in overdue:
        request.status = Status.LAPSED
        request.closed_at = request.due_at
        request.save(update_fields=["status", "closed_at"])
        lifecycle.record(
            dispute,
            "evidence_request_lapsed",
            actor=Actor.SYSTEM,
            payload={"request": request.pk, "side": request.side},
        )
    if overdue:
        _resume(dispute, overdue[-1].due_at)
    return len(overdue)


def evidence_request_fulfil(
    dispute: Dispute, request: EvidenceRequest, items, *, actor: str, user=None
) -> EvidenceRequest:
    """Mark ``request`` answered by ``items``; the caller holds the dispute lock."""
    now = timezone.now()
    request.status = Status.FULFILLED
    request.fulfilled_at = request.closed_at = now
    request.save(update_fields=["status", "fulfilled_at", "closed_at"])
    request.evidence.set(items)
    lifecycle.record(
        dispute,
        "evidence_request_fulfilled",
        actor=actor,
        user=user,
        payload={"request": request.pk, "side": request.side, "count": len(items)},
    )
    _lapse_overdue(dispute, now)
    _resume(dispute, now)
    return request


@transaction.atomic
def _lapse_dispute(dispute_id: int, now: datetime) -> int:
    return _lapse_overdue(locked(Dispute(pk=dispute_id)), now)


def evidence_requests_lapse(*, now=None) -> int:
    """Lapse every request past its due time, one dispute per transaction, in dispute order;
    a dispute that fails is logged and the others still lapse (``resilience.each``)."""
    now = now or timezone.now()
    overdue = EvidenceRequest.objects.filter(status=Status.OPEN, due_at__lte=now)
    return each(
        keys_in_order(overdue, "dispute_id"),
        lambda pk: _lapse_dispute(pk, now),
        what="Evidence request lapse",
    )


def evidence_requests_close(dispute: Dispute) -> int:
    """The decision ends every open request; the clock no longer matters. Lock held."""
    now = timezone.now()
    closed = dispute.evidence_requests.filter(status=Status.OPEN).update(
        status=Status.CLOSED, closed_at=now
    )
    if dispute.review_paused_at is not None:
        dispute.review_paused_at = None
        dispute.save(update_fields=["review_paused_at", "updated_at"])
    return closed
