"""What happens when a deadline passes. The expiry rule is written once, here.

Expiry rule (``dispute_expire``), by whose move it was:

* **merchant, never answered** (``awaiting_merchant``): the buyer gets what was asked for by
  default — unless the evidence needs a human look or a party's credit tier requires review
  (``needs_arbitrator``), in which case the dispute goes to an arbitrator instead.
* **merchant, silent on a buyer's counter-offer or rejection** (``negotiating``): an
  arbitrator decides; silence is not taken as agreement to the buyer's number.
* **buyer, silent on a merchant's offer** (``negotiating``): the claim lapses (``expired``);
  the offer lapses with it.
* **buyer, never submitted a draft** (``open``): it expires.

Disputes waiting on an arbitrator have no deadline here. The steps of a return or a
replacement after the decision have theirs; their rule is ``remedies.remedy_expire``.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from evidence.forensics import ANALYZER_VERSION
from evidence.models import Evidence, ForensicReport

from .. import lifecycle
from ..models import Decision, Dispute, DisputeEvent, Offer
from ..resilience import each, keys_in_order
from .common import locked
from .decisions import claim_outcome, settle
from .remedies import LAPSE, remedy_expire

Actor = DisputeEvent.Actor
State = Dispute.State


def needs_arbitrator(dispute: Dispute) -> bool:
    """A default decision needs every buyer photo and video analysed by the current
    analyzer and found clean; anything pending, failed or flagged goes to a human, and so
    does a dispute a party's credit tier put under review (``credit_rules``)."""
    if dispute.review_required:
        return True
    photos = Evidence.objects.filter(dispute=dispute, role=Evidence.Role.BUYER)
    if photos.exclude(analysis=Evidence.Analysis.DONE).exists():
        return True
    return (
        ForensicReport.objects.filter(evidence__in=photos, analyzer_version=ANALYZER_VERSION)
        .exclude(verdict=ForensicReport.Verdict.NO_FINDINGS)
        .exists()
        or photos.exclude(reports__analyzer_version=ANALYZER_VERSION).exists()
    )


def expiry_outcome(dispute: Dispute) -> str | None:
    """The transition the deadline takes if nobody moves: the expiry rule of the module
    docstring, used by ``dispute_expire`` and, for its words, by ``consequence``."""
    if dispute.state in lifecycle.FULFILMENT_STATES:
        return LAPSE.get(dispute.state)
    if dispute.state not in lifecycle.EVIDENCE_STATES:
        return None
    if dispute.state == State.AWAITING_MERCHANT and not needs_arbitrator(dispute):
        return "default_decide"
    if dispute.waiting_on == Dispute.Side.MERCHANT:
        return "escalate"
    return "expire"


# The expiry rule in words, by outcome: (told to the side that must act, told to the other).
CONSEQUENCES = {
    "default_decide": (
        _lazy("If you do not answer in time, the buyer is refunded as claimed."),
        _lazy("If the merchant does not answer in time, you are refunded as you claimed."),
    ),
    "escalate": (
        _lazy("If you do not answer in time, an arbitrator decides the dispute."),
        _lazy("If the merchant does not answer in time, an arbitrator decides the dispute."),
    ),
    "expire": (
        _lazy("If you do not answer in time, this claim is closed."),
        _lazy("If the buyer does not answer in time, the claim is closed."),
    ),
    "return_lapse": (
        _lazy("If you do not send the item back in time, the return ends without a refund."),
        _lazy(
            "If the buyer does not send the item back in time, the return ends without a refund."
        ),
    ),
    "acknowledge_return": (
        _lazy(
            "If you do not confirm in time, the return counts as received and the buyer is "
            "refunded."
        ),
        _lazy(
            "If the merchant does not confirm in time, the return counts as received "
            "and you are refunded."
        ),
    ),
    "replacement_lapse": (
        _lazy("If you do not ship a replacement in time, the buyer is refunded instead."),
        _lazy("If the merchant does not ship a replacement in time, you are refunded instead."),
    ),
    "confirm_replacement": (
        _lazy(
            "If you do not confirm in time, the replacement counts as received and the "
            "dispute closes."
        ),
        _lazy(
            "If the buyer does not confirm in time, the replacement counts as received "
            "and the dispute closes."
        ),
    ),
}


def consequence(dispute: Dispute, side: str) -> str:
    """What silence costs, told to ``side``: the outcome ``expiry_outcome`` names, in words."""
    if dispute.deadline_at is None or dispute.waiting_on not in (
        Dispute.Side.BUYER,
        Dispute.Side.MERCHANT,
    ):
        return ""
    words = CONSEQUENCES.get(expiry_outcome(dispute))
    if words is None:
        return ""
    return str(words[0] if side == dispute.waiting_on else words[1])


@transaction.atomic
def dispute_expire(dispute_id: int, *, now=None) -> str | None:
    """Apply the expiry rule to one overdue dispute; returns the transition taken, if any.

    Safe to run twice or concurrently: it re-checks the deadline under the row lock.
    """
    now = now or timezone.now()
    dispute = locked(Dispute(pk=dispute_id))
    if dispute.state not in lifecycle.DEADLINE_STATES:
        return None
    if dispute.deadline_at is None or dispute.deadline_at > now:
        return None
    payload = {"deadline": dispute.deadline_at.isoformat(), "waiting_on": dispute.waiting_on}
    if dispute.state in lifecycle.FULFILMENT_STATES:
        return remedy_expire(dispute, now=now, payload=payload)
    outcome = expiry_outcome(dispute)
    dispute.offers.filter(status=Offer.Status.PENDING).update(
        status=Offer.Status.LAPSED, answered_at=now
    )
    if outcome == "default_decide":
        lifecycle.apply(dispute, "default_decide", actor=Actor.SYSTEM, payload=payload)
        settle(
            dispute,
            outcome=claim_outcome(dispute),
            amount_fen=dispute.claimed_amount_fen,
            reasoning=_("The merchant did not respond before the deadline."),
            source=Decision.Source.DEADLINE,
        )
        return "default_decide"
    if outcome == "escalate":
        dispute.evidence_closed_at = now
        dispute.save(update_fields=["evidence_closed_at"])
        lifecycle.apply(
            dispute,
            "escalate",
            actor=Actor.SYSTEM,
            waiting_on=Dispute.Side.ARBITRATOR,
            payload=payload,
        )
        return "escalate"
    lifecycle.apply(dispute, "expire", actor=Actor.SYSTEM, payload=payload)
    return "expire"


def expire_overdue(*, now=None) -> int:
    """Expire every overdue dispute, in id order, one transaction each: a dispute that fails
    is logged and the others still move (``resilience.each``)."""
    now = now or timezone.now()
    overdue = Dispute.objects.filter(state__in=lifecycle.DEADLINE_STATES, deadline_at__lte=now)
    return each(
        keys_in_order(overdue), lambda pk: bool(dispute_expire(pk, now=now)), what="Dispute expiry"
    )
