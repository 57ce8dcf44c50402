"""Detected abuse waits for a person: credit proposals and their review.

The abuse detection (``credit_sources.findings``, ``credit_sources.velocity``) rests on
matches and counts, which can point at an honest person: a photo anyone could copy from a
public review, a plain product shot that resembles another. So it never books: it proposes
(``credit_proposal_make``, idempotent per party, kind and cause), and an arbitrator confirms
the proposal, which books the event through ``credit.credit_event_record``, or dismisses it
(``credit_proposal_review``). The party is told either outcome after commit
(``credit_proposal_reviewed``).
"""

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration import lifecycle
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import DisputeEvent

from . import credit
from .models import CreditProposal, Party

NOTE_MAX = 2000

# Sent after commit when an arbitrator confirms or dismisses a proposal: kwargs proposal.
credit_proposal_reviewed = Signal()


def credit_proposal_make(
    *,
    party: Party,
    kind: str,
    reason: str,
    source_key: str,
    basis: dict,
    points: int | None = None,
    dispute=None,
    evidence=None,
    reason_template: str = "",
    reason_params: dict | None = None,
) -> tuple[CreditProposal, bool]:
    """Propose one event for a party, once per (party, kind, cause); the score is untouched.

    Returns ``(proposal, created)``: a second call for the same cause returns the first row,
    whatever became of it, so a dismissed proposal is not raised again by a re-analysis.
    """
    fields = {
        "points": credit.DEFAULT_POINTS[kind] if points is None else points,
        "reason": reason,
        "reason_template": reason_template,
        "reason_params": reason_params or {},
        "basis": basis,
        "dispute": dispute,
        "evidence": evidence,
    }
    try:
        with transaction.atomic():
            return CreditProposal.objects.get_or_create(
                party=party, kind=kind, source_key=source_key, defaults=fields
            )
    except IntegrityError:  # a concurrent analysis proposed the same cause first
        return CreditProposal.objects.get(party=party, kind=kind, source_key=source_key), False


@transaction.atomic
def credit_proposal_review(
    *, proposal: CreditProposal, user, confirm: bool, note: str = ""
) -> CreditProposal:
    """An arbitrator confirms a pending proposal (its event is booked and counts from now)
    or dismisses it (nothing is booked), once, with an optional note.

    The proposal keeps who decided, when and why; a proposal from a dispute adds a line to
    its audit trail. The party hears of the outcome after commit.
    """
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can review a credit proposal."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX},
            code="note_too_long",
            field="note",
        )
    proposal = (
        CreditProposal.objects.select_for_update(of=("self",))
        .select_related("party", "dispute")
        .get(pk=proposal.pk)
    )
    if proposal.status != CreditProposal.Status.PENDING:
        raise DomainError(
            _("This proposal has already been reviewed (%(status)s).")
            % {"status": proposal.get_status_display()},
            code="already_reviewed",
        )
    if confirm:
        proposal.event, _created = credit.credit_event_record(
            party=proposal.party,
            kind=proposal.kind,
            points=proposal.points,
            reason=proposal.reason,
            reason_template=proposal.reason_template,
            reason_params=proposal.reason_params,
            source_key=f"proposal:{proposal.pk}",
            dispute=proposal.dispute,
            evidence=proposal.evidence,
            user=user,
        )
        proposal.status = CreditProposal.Status.CONFIRMED
    else:
        proposal.status = CreditProposal.Status.DISMISSED
    proposal.reviewed_by = user
    proposal.reviewed_at = timezone.now()
    proposal.review_note = note
    proposal.save(update_fields=["event", "status", "reviewed_by", "reviewed_at", "review_note"])
    if proposal.dispute_id:
        lifecycle.record(
            proposal.dispute,
            "credit_proposal_reviewed",
            actor=DisputeEvent.Actor.ARBITRATOR,
            user=user,
            payload={
                "proposal": proposal.pk,
                "party": proposal.party_id,
                "kind": proposal.kind,
                "status": proposal.status,
                "note": note,
            },
        )
    transaction.on_commit(
        lambda: credit_proposal_reviewed.send(sender=CreditProposal, proposal=proposal)
    )
    return proposal
