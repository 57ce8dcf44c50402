"""Offers: the merchant proposes, the buyer accepts, rejects or counters.

An offer is a partial refund (an amount, a percent of the order, or refunds of order lines),
a return and refund (of the whole order, or of some lines) or a replacement. Accepting it
decides the dispute with the same remedy.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .. import lifecycle
from ..errors import DomainError, StateConflict
from ..models import Decision, Dispute, DisputeEvent, Offer
from . import credit_rules
from .common import amount_from, locked, side_of, yuan
from .decisions import settle
from .remedies import lines_check, lines_payload, lines_save, lines_total

Remedy = Offer.Remedy
# The decision an accepted offer becomes.
OUTCOMES = {
    Remedy.PARTIAL_REFUND: Decision.Outcome.PARTIAL_REFUND,
    Remedy.RETURN_AND_REFUND: Decision.Outcome.RETURN_AND_REFUND,
    Remedy.REPLACEMENT: Decision.Outcome.REPLACEMENT,
}

Actor = DisputeEvent.Actor


def _pending_offer(dispute: Dispute) -> Offer | None:
    return dispute.offers.select_for_update().filter(status=Offer.Status.PENDING).first()


def _other_side(actor: str) -> tuple[str, str]:
    """Whose move it is after ``actor`` speaks, and which platform window applies."""
    if actor == Actor.MERCHANT:
        return Dispute.Side.BUYER, "buyer_response_window"
    return Dispute.Side.MERCHANT, "merchant_response_window"


def offer_amount(dispute: Dispute, remedy: str, amount_fen, percent, lines) -> tuple[int, list]:
    """What an offer of ``remedy`` pays, and its checked lines, or a ``DomainError``."""
    paid = dispute.order.amount_fen
    if remedy not in Remedy.values:
        raise DomainError(_("Choose what you offer."), field="remedy")
    if remedy == Remedy.REPLACEMENT:
        if lines or amount_fen or percent:
            raise DomainError(_("A replacement offers no money."), field="remedy")
        return 0, []
    if lines:
        if amount_fen is not None or percent is not None:
            raise DomainError(_("Give either order lines or an amount, not both."), field="lines")
        rows = lines_check(dispute.order, lines)
        amount = lines_total(rows)
        if remedy == Remedy.PARTIAL_REFUND and amount >= paid:
            raise DomainError(
                _("These lines refund everything paid; a partial refund must be less."),
                field="lines",
            )
        return amount, rows
    if remedy == Remedy.RETURN_AND_REFUND:
        if amount_fen is not None or percent is not None:
            raise DomainError(
                _(
                    "A return refunds what was paid for what comes back: choose order lines, "
                    "or nothing for the whole order."
                ),
                field="amount",
            )
        return paid, []
    amount = amount_from(paid, amount_fen=amount_fen, percent=percent)
    if not 0 < amount < paid:
        raise DomainError(
            _("An offer must be more than zero and less than the %(paid)s paid.")
            % {"paid": yuan(paid)},
            field="amount",
        )
    return amount, []


@transaction.atomic
def offer_make(
    *,
    dispute: Dispute,
    party: Party,
    amount_fen: int | None = None,
    percent: int | None = None,
    message: str = "",
    remedy: str = Remedy.PARTIAL_REFUND,
    lines=(),
    user=None,
) -> Offer:
    """Propose a settlement. Answering a pending offer of the other side counters it."""
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    amount, rows = offer_amount(dispute, remedy, amount_fen, percent, list(lines or ()))
    pending = _pending_offer(dispute)
    if pending and pending.made_by_id == party.pk:
        raise StateConflict(
            _("Your previous offer is still waiting for an answer."), code="offer_pending"
        )
    if actor == Actor.BUYER and pending is None:
        raise StateConflict(_("There is no offer to counter."), code="no_offer", field="amount")
    name = "counter" if pending else "offer"
    if pending:
        pending.status = Offer.Status.COUNTERED
        pending.answered_at = timezone.now()
        pending.save(update_fields=["status", "answered_at"])
    waiting_on, window = _other_side(actor)
    payload = {"amount_fen": amount, "percent": percent}
    if remedy != Remedy.PARTIAL_REFUND:
        payload["remedy"] = remedy
    if rows:
        payload["lines"] = lines_payload(rows)
    event = lifecycle.apply(
        dispute,
        name,
        actor=actor,
        user=user,
        waiting_on=waiting_on,
        due=timezone.now() + getattr(dispute.platform, window),
        payload=payload,
    )
    offer = Offer.objects.create(
        dispute=dispute,
        made_by=party,
        remedy=remedy,
        amount_fen=amount,
        percent=percent if not rows else None,
        message=message.strip(),
        counter_to=pending,
    )
    if rows:
        lines_save(rows, offer=offer)
    event.payload["offer"] = offer.pk
    event.save(update_fields=["payload"])
    webhooks_emit(
        platform=dispute.platform, type=EventType.OFFER_CREATED, data=payloads.offer_data(offer)
    )
    return offer


def _answerable_offer(dispute: Dispute, party: Party) -> Offer:
    pending = _pending_offer(dispute)
    if pending is None or pending.made_by_id == party.pk:
        raise StateConflict(_("There is no offer waiting for your answer."), code="no_offer")
    return pending


@transaction.atomic
def offer_accept(*, dispute: Dispute, party: Party, user=None) -> Decision | None:
    """Accepting settles the dispute for the offered amount, or, when the dispute must be
    reviewed (``credit_rules``), sends the agreement to an arbitrator to confirm (None)."""
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    offer = _answerable_offer(dispute, party)
    offer.status = Offer.Status.ACCEPTED
    offer.answered_at = timezone.now()
    offer.save(update_fields=["status", "answered_at"])
    webhooks_emit(
        platform=dispute.platform, type=EventType.OFFER_ACCEPTED, data=payloads.offer_data(offer)
    )
    if dispute.review_required:
        credit_rules.settlement_for_review(
            dispute,
            "accept_offer_for_review",
            actor=actor,
            user=user,
            terms={"offer": offer.pk, "amount_fen": offer.amount_fen},
        )
        return None
    lifecycle.apply(dispute, "accept_offer", actor=actor, user=user, payload={"offer": offer.pk})
    return settle(
        dispute,
        outcome=OUTCOMES[offer.remedy],
        amount_fen=offer.amount_fen,
        reasoning=_agreement(offer),
        source=Decision.Source.AGREEMENT,
        user=user,
        lines=list(offer.lines.all()),
    )


def _agreement(offer: Offer) -> str:
    if offer.remedy == Remedy.REPLACEMENT:
        return _("Both parties agreed on a replacement.")
    if offer.remedy == Remedy.RETURN_AND_REFUND:
        return _("Both parties agreed on a return and a refund of %(amount)s.") % {
            "amount": yuan(offer.amount_fen)
        }
    return _("Both parties agreed on a partial refund of %(amount)s.") % {
        "amount": yuan(offer.amount_fen)
    }


@transaction.atomic
def offer_reject(*, dispute: Dispute, party: Party, message: str = "", user=None) -> Offer:
    """Turn an offer down; the side that made it may offer again or ask for arbitration."""
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    offer = _answerable_offer(dispute, party)
    offer.status = Offer.Status.REJECTED
    offer.answered_at = timezone.now()
    offer.save(update_fields=["status", "answered_at"])
    waiting_on, window = _other_side(actor)
    lifecycle.apply(
        dispute,
        "reject_offer",
        actor=actor,
        user=user,
        waiting_on=waiting_on,
        due=timezone.now() + getattr(dispute.platform, window),
        payload={"offer": offer.pk, "message": message.strip()},
    )
    return offer
