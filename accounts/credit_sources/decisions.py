"""Events a decision or an upheld merchant report books."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..credit import credit_event_reverse, reason_of
from ..models import CreditEvent, MerchantReport
from .common import Kind, book, msgid


def credit_for_decision(decision, *, fabricated_evidence=()) -> list[CreditEvent]:
    """Book what a decision says about the parties; ``fabricated_evidence`` is the evidence
    the arbitrator confirmed fabricated (each costs its submitter)."""
    from arbitration.models import Decision

    source = decision.source
    key = f"decision:{decision.pk}"
    judged = source in (Decision.Source.ARBITRATOR, Decision.Source.DEADLINE)
    booked = _book_outcome(
        decision.dispute,
        decision.outcome,
        key=key,
        user=decision.decided_by,
        buyer=judged or source == Decision.Source.MERCHANT_ACCEPTED,
        merchant=judged,
    )
    for item in sorted(fabricated_evidence, key=lambda e: e.pk):
        booked.append(
            credit_for_fabrication(
                item,
                dispute=decision.dispute,
                key=f"{key}:evidence:{item.pk}",
                user=decision.decided_by,
            )
        )
    return booked


def credit_for_fabrication(item, *, dispute, key: str, user) -> CreditEvent:
    """Evidence an arbitrator confirmed fabricated costs its submitter (once per ``key``);
    ``dispute`` is the one it was judged in (a listing photo belongs to none)."""
    return book(
        item.submitted_by,
        Kind.EVIDENCE_FABRICATED,
        reason_of(
            gettext_noop("Dispute %(ref)s: the arbitrator found your %(what_label)s fabricated."),
            ref=dispute.reference,
            what_label=msgid(type(item).Role(item.role).label),
        ),
        key,
        dispute=dispute,
        evidence=item,
        user=user,
    )


def _book_outcome(dispute, outcome, *, key, user, buyer: bool, merchant: bool) -> list:
    """The buyer's claim upheld or denied, and the merchant's item found not as described."""
    from arbitration.models import Decision, Dispute

    booked = []
    upheld = outcome != Decision.Outcome.NO_REFUND
    if buyer:
        if upheld:
            kind, text = Kind.CLAIM_UPHELD, gettext_noop("Dispute %(ref)s: your claim was upheld.")
        else:
            kind, text = Kind.CLAIM_DENIED, gettext_noop("Dispute %(ref)s: your claim was denied.")
        booked.append(
            book(
                dispute.buyer,
                kind,
                reason_of(text, ref=dispute.reference),
                key,
                dispute=dispute,
                user=user,
            )
        )
    if merchant and upheld and dispute.reason == Dispute.Reason.NOT_AS_DESCRIBED:
        booked.append(
            book(
                dispute.merchant,
                Kind.NOT_AS_DESCRIBED_LOST,
                reason_of(
                    gettext_noop("Dispute %(ref)s: the item was found not as described."),
                    ref=dispute.reference,
                ),
                key,
                dispute=dispute,
                user=user,
            )
        )
    return booked


def credit_for_appeal(appeal) -> tuple[list[CreditEvent], list[CreditEvent]]:
    """An overturned decision: strike what it booked, book what the new outcome says.

    Returns ``(reversed, booked)``. An upheld appeal changes nothing on the ledgers.
    """
    from arbitration.models import DecisionAppeal

    if appeal.status != DecisionAppeal.Status.OVERTURNED:
        return [], []
    key = f"decision:{appeal.decision_id}"
    struck = [
        credit_event_reverse(
            event=event,
            user=appeal.reviewed_by,
            note=_("Decision overturned on appeal: %(reasons)s") % {"reasons": appeal.reasons},
        )
        for event in CreditEvent.objects.filter(
            dispute=appeal.dispute, reversed_at__isnull=True
        ).filter(Q(source_key=key) | Q(source_key__startswith=f"{key}:"))
    ]
    booked = _book_outcome(
        appeal.dispute,
        appeal.outcome,
        key=f"appeal:{appeal.pk}",
        user=appeal.reviewed_by,
        buyer=True,
        merchant=True,
    )
    return struck, booked


def fabricated_evidence_check(dispute, ids) -> list:
    """The evidence an arbitrator marks fabricated: the dispute's own files or its order's
    listing photos, nothing else (checked before the decision changes anything)."""
    from arbitration.errors import DomainError
    from evidence.models import Evidence

    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        wanted = None
    if not wanted:
        if wanted is None:
            raise DomainError(_("Choose evidence of this dispute."), field="fabricated_evidence")
        return []
    items = list(
        Evidence.objects.filter(
            Q(dispute=dispute) | Q(order=dispute.order, role=Evidence.Role.LISTING),
            pk__in=wanted,
        ).select_related("submitted_by")
    )
    if len(items) != len(wanted):
        raise DomainError(
            _("Only evidence of this dispute can be marked fabricated."),
            code="not_this_dispute",
            field="fabricated_evidence",
        )
    return items


def credit_for_report(report: MerchantReport) -> CreditEvent | None:
    """An upheld merchant report costs the buyer; a rejected one costs nobody."""
    if report.status != MerchantReport.Status.UPHELD:
        return None
    return book(
        report.buyer,
        Kind.REPORT_UPHELD,
        reason_of(
            gettext_noop(
                "Dispute %(ref)s: a merchant's report of you was upheld (%(category_label)s)."
            ),
            ref=report.dispute.reference,
            category_label=msgid(MerchantReport.Category(report.category).label),
        ),
        f"report:{report.pk}",
        dispute=report.dispute,
        user=report.reviewed_by,
    )
