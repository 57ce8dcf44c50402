"""Recovering a fast refund (先行赔付) whose evidence an arbitrator confirmed fabricated.

A fast refund is paid by the platform before anyone judged the claim. When an arbitrator
later upholds the merchant's flag on a photo behind it (``services/flags.py``), the money is
to be won back: a ``RefundRecovery`` is opened (``refund.recovery_requested``), both parties
see it, and the platform, which moves the money, reports whether it was recovered or written
off (``refund.recovery_settled``). Tianping keeps the ledger only.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .. import lifecycle
from ..errors import DomainError
from ..models import Decision, Dispute, DisputeEvent, Refund, RefundRecovery
from .common import locked

Actor = DisputeEvent.Actor
SETTLE_STEPS = {
    RefundRecovery.Status.RECOVERED: "recovery_recovered",
    RefundRecovery.Status.WRITTEN_OFF: "recovery_written_off",
}
NOTE_MAX = 500


def recovery_request(dispute: Dispute, *, decision: Decision, evidence, user) -> RefundRecovery:
    """Open the recovery of ``decision``'s fast refund, once; later confirmations of more
    fabricated photos join the open recovery. The caller holds the dispute lock."""
    existing = RefundRecovery.objects.filter(dispute=dispute).first()
    if existing is not None:
        existing.evidence.add(*evidence)
        return existing
    refund = Refund.objects.filter(dispute=dispute).first()
    recovery = RefundRecovery(
        dispute=dispute,
        refund=refund,
        amount_fen=refund.amount_fen if refund else decision.amount_fen,
        currency=dispute.order.currency,
        funded_by=RefundRecovery.Funder.PLATFORM,
        requested_by=user,
    )
    lifecycle.advance(
        dispute,
        recovery,
        lifecycle.RECOVERY_STEPS,
        "recovery_requested",
        actor=Actor.ARBITRATOR,
        user=user,
        payload={
            "amount_fen": recovery.amount_fen,
            "funded_by": recovery.funded_by,
            "evidence": [item.pk for item in evidence],
        },
    )
    recovery.evidence.set(evidence)
    webhooks_emit(
        platform=dispute.platform,
        type=EventType.RECOVERY_REQUESTED,
        data=payloads.recovery_data(recovery),
    )
    return recovery


@transaction.atomic
def recovery_settle(
    *, dispute: Dispute, status: str, note: str = "", actor: str = Actor.PLATFORM, user=None
) -> RefundRecovery:
    """The platform reports how the recovery ended: ``recovered`` or ``written_off``."""
    dispute = locked(dispute)
    recovery = RefundRecovery.objects.select_for_update().filter(dispute=dispute).first()
    if recovery is None:
        raise DomainError(_("Nothing is being recovered on this dispute."), code="no_recovery")
    step = SETTLE_STEPS.get(status)
    if step is None:
        raise DomainError(_("Say whether it was recovered or written off."), field="status")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX}, field="note"
        )
    recovery.settled_at, recovery.note = timezone.now(), note
    lifecycle.advance(
        dispute,
        recovery,
        lifecycle.RECOVERY_STEPS,
        step,
        actor=actor,
        user=user,
        payload={"amount_fen": recovery.amount_fen, "note": note},
    )
    webhooks_emit(
        platform=dispute.platform,
        type=EventType.RECOVERY_SETTLED,
        data=payloads.recovery_data(recovery),
    )
    return recovery
