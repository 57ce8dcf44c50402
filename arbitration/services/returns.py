"""Returned item not as sent (退货不符): the merchant's report and the arbitrator's deduction.

While a return is in transit, within the platform's ``return_receive_days``, the merchant may,
instead of confirming the parcel arrived as sent, report that it is not the item sent, is
damaged or misses parts, with photos (compared with the packing photos by the worker). The
dispute then waits on an arbitrator for the platform's ``return_review_hours``: the
arbitrator deducts at most ``return_deduction_cap_percent`` of the refund, or nothing, and
the rest is paid. If nobody decides in time the refund is paid in full: the merchant's word
alone does not hold back the buyer's money.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party
from evidence.models import Evidence
from evidence.services import evidence_add

from .. import lifecycle
from ..errors import DomainError, NotAllowed
from ..models import Decision, Dispute, DisputeEvent, Refund, ReturnReport, Shipment
from .common import locked, side_of, yuan
from .decisions import refund_queue

Actor = DisputeEvent.Actor


def deduction_cap(dispute: Dispute) -> int:
    """The most that may be deducted from this dispute's refund, in fen."""
    amount = Decision.objects.get(dispute=dispute).amount_fen
    return amount * dispute.platform.return_deduction_cap_percent // 100


@transaction.atomic
def return_report(
    *, dispute: Dispute, party: Party, problem: str, statement: str, files, user=None
) -> ReturnReport:
    """The merchant received the return and reports it is not as sent, with photos."""
    dispute = locked(dispute)
    if side_of(dispute, party) != Actor.MERCHANT:
        raise NotAllowed(_("Only the merchant can report the returned item."))
    if problem not in ReturnReport.Problem.values:
        raise DomainError(_("Choose what is wrong with the returned item."), field="problem")
    statement = (statement or "").strip()
    if not statement:
        raise DomainError(_("Describe what is wrong with the returned item."), field="statement")
    if not files:
        raise DomainError(_("Add photos of the returned item."), field="files")
    now = timezone.now()
    lifecycle.apply(
        dispute,
        "report_return_condition",
        actor=Actor.MERCHANT,
        user=user,
        waiting_on=Dispute.Side.ARBITRATOR,
        due=now + dispute.platform.return_review_window,
        payload={"problem": problem, "statement": statement},
    )
    items = evidence_add(
        order=dispute.order, dispute=dispute, party=party, files=files, role=Evidence.Role.RETURN
    )
    Shipment.objects.filter(dispute=dispute, kind=Shipment.Kind.RETURN).update(
        received_at=now, acknowledged_by=user
    )
    report = ReturnReport.objects.create(
        dispute=dispute, problem=problem, statement=statement, reported_by=user
    )
    report.evidence.set(items)
    return report


@transaction.atomic
def return_deduction_decide(*, dispute: Dispute, user, deduction_fen: int, reasons: str) -> Refund:
    """An arbitrator deducts ``deduction_fen`` (0 for none, at most the cap) and pays the rest."""
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can decide a returned-item report."))
    dispute = locked(dispute)
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError(_("Give the reasons for the deduction."), field="reasons")
    report = ReturnReport.objects.select_for_update().filter(dispute=dispute).first()
    if report is None or dispute.state != Dispute.State.RETURN_CONTESTED:
        raise DomainError(_("No returned-item report awaits a decision."), code="no_report")
    cap = deduction_cap(dispute)
    if deduction_fen is None or not 0 <= deduction_fen <= cap:
        raise DomainError(
            _("The deduction must be between nothing and %(cap)s (the platform's cap).")
            % {"cap": yuan(cap)},
            field="deduction",
        )
    refund_fen = Decision.objects.get(dispute=dispute).amount_fen - deduction_fen
    if refund_fen <= 0:
        raise DomainError(_("Something must be left to refund."), field="deduction")
    report.deduction_fen, report.reasons = deduction_fen, reasons
    report.decided_by, report.decided_at = user, timezone.now()
    report.save(update_fields=["deduction_fen", "reasons", "decided_by", "decided_at"])
    lifecycle.apply(
        dispute,
        "decide_return_deduction",
        actor=Actor.ARBITRATOR,
        user=user,
        payload={"amount_fen": refund_fen, "deduction_fen": deduction_fen, "note": reasons},
    )
    return refund_queue(dispute, refund_fen)


def return_condition_lapse(dispute: Dispute, *, payload: dict) -> str:
    """Nobody decided the report in time: the refund is paid in full (``remedy_expire``)."""
    amount = Decision.objects.get(dispute=dispute).amount_fen
    lifecycle.apply(
        dispute,
        "return_condition_lapse",
        actor=Actor.SYSTEM,
        payload={**payload, "amount_fen": amount},
    )
    refund_queue(dispute, amount)
    return "return_condition_lapse"
