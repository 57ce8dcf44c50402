"""The merchant's "this photo is fake" flag on one of the buyer's photos.

A flag is the merchant's word: it books nothing. Before the decision, the decision settles
every open flag: a photo the arbitrator confirms fabricated upholds its flag (and books the
credit event, as any confirmed fabrication does), the others are dismissed, and the upheld
flags are written into the decision's reasons. After a fast refund, which no arbitrator
judged, the merchant may still flag a photo within the appeal window, and an arbitrator
reviews the flag on its own (``photo_flag_review``); upholding it is the confirmation that
starts the recovery of the platform's money (``services/recoveries.py``).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import credit_sources
from accounts.models import Party
from evidence.models import Evidence

from .. import lifecycle
from ..errors import DomainError, NotAllowed
from ..models import Decision, Dispute, DisputeEvent, PhotoFlag
from .common import appeal_deadline, locked, side_of
from .recoveries import recovery_request

Actor = DisputeEvent.Actor
NOTE_MAX = 500
FLAGGABLE_STATES = frozenset(
    {Dispute.State.AWAITING_MERCHANT, Dispute.State.NEGOTIATING, Dispute.State.UNDER_REVIEW}
)


def _fast_refund(dispute: Dispute) -> Decision | None:
    decision = Decision.objects.filter(dispute=dispute).first()
    if decision is not None and decision.source == Decision.Source.FAST_REFUND:
        return decision
    return None


def flag_window_open(dispute: Dispute) -> bool:
    """Flags are taken until the decision, and after a fast refund within the appeal window."""
    if dispute.state in FLAGGABLE_STATES:
        return True
    decision = _fast_refund(dispute) if dispute.state in lifecycle.SETTLED_STATES else None
    return decision is not None and timezone.now() <= appeal_deadline(decision)


@transaction.atomic
def photo_flag(
    *, dispute: Dispute, party: Party, evidence_id, reason: str, note: str = "", user=None
) -> PhotoFlag:
    """The merchant flags one buyer photo of this dispute as fake, with a reason."""
    dispute = locked(dispute)
    if side_of(dispute, party) != Actor.MERCHANT:
        raise NotAllowed(_("Only the merchant can flag the buyer's photos."))
    if reason not in PhotoFlag.Reason.values:
        raise DomainError(_("Choose why the photo is fake."), field="reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX}, field="note"
        )
    try:
        evidence = Evidence.objects.get(
            pk=int(evidence_id), dispute=dispute, role=Evidence.Role.BUYER
        )
    except (Evidence.DoesNotExist, TypeError, ValueError):
        raise DomainError(
            _("Only the buyer's photos of this dispute can be flagged."), field="evidence"
        ) from None
    if not flag_window_open(dispute):
        raise DomainError(
            _("Photos can no longer be flagged: the dispute is %(state)s.")
            % {"state": dispute.get_state_display()},
            code="flag_closed",
        )
    if PhotoFlag.objects.filter(evidence=evidence).exists():
        raise DomainError(_("You have already flagged this photo."), code="already_flagged")
    flag = PhotoFlag(dispute=dispute, evidence=evidence, reason=reason, note=note, flagged_by=user)
    lifecycle.advance(
        dispute,
        flag,
        lifecycle.FLAG_STEPS,
        "photo_flagged",
        actor=Actor.MERCHANT,
        user=user,
        payload={"evidence": evidence.pk, "reason": reason},
    )
    return flag


def _rule(dispute: Dispute, flag: PhotoFlag, *, uphold: bool, user, note: str = "") -> None:
    flag.reviewed_by, flag.reviewed_at = user, timezone.now()
    lifecycle.advance(
        dispute,
        flag,
        lifecycle.FLAG_STEPS,
        "flag_upheld" if uphold else "flag_dismissed",
        actor=Actor.ARBITRATOR,
        user=user,
        payload={"evidence": flag.evidence_id, "reason": flag.reason, "note": note},
    )


def flags_settle(dispute: Dispute, *, fabricated, user) -> str:
    """Rule on every open flag as the decision does (a flagged photo among ``fabricated`` is
    upheld, the others dismissed); the upheld flags as lines for the decision's reasons."""
    confirmed = {item.pk for item in fabricated}
    lines = []
    for flag in PhotoFlag.objects.filter(dispute=dispute, status=PhotoFlag.Status.FLAGGED):
        upheld = flag.evidence_id in confirmed
        _rule(dispute, flag, uphold=upheld, user=user)
        if upheld:
            lines.append(
                _("The merchant's flag on the buyer's photo #%(pk)s is upheld (%(reason)s).")
                % {"pk": flag.evidence_id, "reason": flag.get_reason_display()}
            )
    return "\n".join(lines)


@transaction.atomic
def photo_flag_review(*, flag: PhotoFlag, user, uphold: bool, note: str = "") -> PhotoFlag:
    """An arbitrator rules on a flag raised after a fast refund. Upholding confirms the
    photo fabricated: the buyer's credit event is booked and the refund's recovery begins."""
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can review a flag."))
    dispute = locked(flag.dispute)
    flag = PhotoFlag.objects.select_for_update().select_related("evidence").get(pk=flag.pk)
    decision = _fast_refund(dispute)
    if decision is None:
        raise DomainError(
            _("This flag is settled by the decision of the dispute."), code="decided_by_decision"
        )
    note = (note or "").strip()
    _rule(dispute, flag, uphold=uphold, user=user, note=note)
    if uphold:
        evidence = flag.evidence
        credit_sources.credit_for_fabrication(
            evidence, dispute=dispute, key=f"flag:{flag.pk}", user=user
        )
        recovery_request(dispute, decision=decision, evidence=[evidence], user=user)
    return flag
