"""Deciding a dispute and paying out what was decided."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import credit_sources
from evidence.models import Evidence
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .. import lifecycle
from ..errors import DomainError, NotAllowed
from ..models import Decision, Dispute, DisputeEvent, Refund
from .common import amount_from, locked, yuan
from .flags import flags_settle

Actor = DisputeEvent.Actor
Outcome = Decision.Outcome


def settle(
    dispute: Dispute,
    *,
    outcome: str,
    amount_fen: int,
    reasoning: str,
    source: str,
    user=None,
    evidence=(),
    fabricated_evidence=(),
    lines=(),
) -> Decision:
    """Write the decision of a dispute that has just moved to ``decided``, then pay or close.

    A refund is queued for the payment task after commit; a decision of nothing closes the
    dispute at once; a return or a replacement starts its first step (``remedies``), and a
    replacement pays nothing unless the merchant fails to send it. ``lines`` are checked
    ``RefundLine`` rows (``remedies.lines_check``). The caller holds the lock and has applied
    the transition to ``decided``.
    """
    from . import remedies

    if outcome == Outcome.REPLACEMENT:
        amount_fen = 0
    decision = Decision.objects.create(
        dispute=dispute,
        outcome=outcome,
        amount_fen=amount_fen,
        reasoning=reasoning,
        source=source,
        decided_by=user,
    )
    if evidence:
        decision.evidence_relied_on.set(evidence)
    credit_sources.credit_for_decision(decision, fabricated_evidence=fabricated_evidence)
    saved_lines = remedies.lines_save(lines, decision=decision) if lines else []
    record_payload = {"outcome": outcome, "amount_fen": amount_fen, "source": source}
    if saved_lines:
        record_payload["lines"] = remedies.lines_payload(saved_lines)
    lifecycle.record(
        dispute,
        "decision",
        actor=Actor.ARBITRATOR if source == Decision.Source.ARBITRATOR else Actor.SYSTEM,
        user=user,
        payload=record_payload,
    )
    webhooks_emit(
        platform=dispute.platform,
        type=EventType.DISPUTE_DECIDED,
        data=payloads.decision_data(decision),
    )
    if remedies.remedy_start(dispute, outcome):
        return decision
    if amount_fen == 0:
        lifecycle.apply(dispute, "close", actor=Actor.SYSTEM)
        return decision
    refund_queue(dispute, amount_fen)
    return decision


def refund_queue(dispute: Dispute, amount_fen: int) -> Refund:
    """Owe the buyer ``amount_fen``; the payment task runs after commit.

    ``robust``: a broker outage must not turn the committed decision into an error for the
    caller; the refund stays ``pending`` and ``refunds_due`` (the beat sweep) sends it.
    """
    refund = Refund.objects.create(
        dispute=dispute, amount_fen=amount_fen, currency=dispute.order.currency
    )
    from ..tasks import execute_refund

    transaction.on_commit(lambda: execute_refund.delay(refund.pk), robust=True)
    return refund


def refunds_due(*, now=None) -> list[int]:
    """Refunds still ``pending`` past the sweep's grace: their task was lost (broker down at
    commit, a worker gone) or is retrying. Oldest first; paying is idempotent."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.REFUND_SWEEP_GRACE_SECONDS)
    return list(
        Refund.objects.filter(status=Refund.Status.PENDING, created_at__lte=now - grace)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )


def claim_outcome(dispute: Dispute) -> str:
    """The outcome that gives the buyer exactly what was claimed (merchant accepts, deadline).

    Named by what is paid, so a claim for the whole price is a full refund whatever remedy
    was asked for, and a claim for less is a partial refund.
    """
    if dispute.remedy == Dispute.Remedy.RETURN_AND_REFUND:
        return Outcome.RETURN_AND_REFUND
    if dispute.remedy == Dispute.Remedy.REPLACEMENT:
        return Outcome.REPLACEMENT
    if dispute.claimed_amount_fen == dispute.order.amount_fen:
        return Outcome.FULL_REFUND
    return Outcome.PARTIAL_REFUND


def resolve_amount(dispute: Dispute, outcome: str, amount_fen, percent) -> int:
    """The refund a decision of ``outcome`` pays, checked against what the buyer paid."""
    paid = dispute.order.amount_fen
    if outcome in (Outcome.FULL_REFUND, Outcome.RETURN_AND_REFUND):
        return paid
    if outcome in (Outcome.NO_REFUND, Outcome.REPLACEMENT):
        return 0
    if outcome != Outcome.PARTIAL_REFUND:
        raise DomainError(_("Choose an outcome."), field="outcome")
    amount = amount_from(paid, amount_fen=amount_fen, percent=percent)
    if not 0 < amount < paid:
        raise DomainError(
            _("A partial refund must be more than zero and less than %(paid)s.")
            % {"paid": yuan(paid)},
            field="amount",
        )
    return amount


@transaction.atomic
def dispute_decide(
    *,
    dispute: Dispute,
    user,
    outcome: str,
    reasoning: str,
    amount_fen: int | None = None,
    percent: int | None = None,
    evidence_ids=(),
    fabricated_evidence_ids=(),
    lines=(),
    suggestion=None,
) -> Decision:
    """An arbitrator's decision on a dispute under review.

    ``lines`` (``{line, quantity, amount_fen, reason}``) refund single order lines: the
    outcome is then a partial refund or a return and refund of those lines, and pays their
    total.
    """
    from .remedies import LINE_OUTCOMES, lines_check, lines_total
    from .requests import evidence_requests_close
    from .suggestion import suggestion_record

    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can decide a dispute."))
    if not reasoning.strip():
        raise DomainError(_("Give the reasoning for the decision."), field="reasoning")
    dispute = locked(dispute)
    rows = []
    if lines:
        if outcome not in LINE_OUTCOMES:
            raise DomainError(
                _("Order lines can only be refunded by a partial refund or a return."),
                field="lines",
            )
        rows = lines_check(dispute.order, lines)
        amount = lines_total(rows)
        if outcome == Outcome.PARTIAL_REFUND and amount >= dispute.order.amount_fen:
            raise DomainError(
                _("These lines refund everything paid: decide a full refund instead."),
                field="lines",
            )
    else:
        amount = resolve_amount(dispute, outcome, amount_fen, percent)
    evidence = list(Evidence.objects.filter(dispute=dispute, pk__in=list(evidence_ids)))
    if len(evidence) != len(set(evidence_ids)):
        raise DomainError(_("Some of the evidence chosen is not part of this dispute."))
    fabricated = credit_sources.fabricated_evidence_check(dispute, fabricated_evidence_ids)
    upheld_flags = flags_settle(dispute, fabricated=fabricated, user=user)
    lifecycle.apply(
        dispute,
        "decide",
        actor=Actor.ARBITRATOR,
        user=user,
        payload={"outcome": outcome, "amount_fen": amount},
    )
    evidence_requests_close(dispute)
    decision = settle(
        dispute,
        outcome=outcome,
        amount_fen=amount,
        reasoning="\n\n".join(filter(None, [reasoning.strip(), upheld_flags])),
        source=Decision.Source.ARBITRATOR,
        user=user,
        evidence=evidence,
        fabricated_evidence=fabricated,
        lines=rows,
    )
    if suggestion is not None:  # what the console proposed, computed server-side
        suggestion_record(decision=decision, suggestion=suggestion)
    return decision


@transaction.atomic
def refund_complete(*, refund_id: int, reference: str) -> Refund:
    """Mark a refund paid and the dispute refunded. Running it twice changes nothing."""
    refund = Refund.objects.select_related("dispute").get(pk=refund_id)
    dispute = locked(refund.dispute)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    refund.status = Refund.Status.SUCCEEDED
    refund.reference = reference
    refund.completed_at = timezone.now()
    refund.save(update_fields=["status", "reference", "completed_at"])
    lifecycle.apply(
        dispute,
        "refund",
        actor=Actor.SYSTEM,
        payload={"amount_fen": refund.amount_fen, "reference": reference},
    )
    return refund
