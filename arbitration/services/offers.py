"""Partial-refund offers: the merchant proposes, the buyer accepts, rejects or counters."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .. import lifecycle
from ..errors import DomainError
from ..models import Decision, Dispute, DisputeEvent, Offer
from .common import amount_from, locked, side_of, yuan
from .decisions import settle

Actor = DisputeEvent.Actor


def _pending_offer(dispute: Dispute) -> Offer | None:
    return dispute.offers.select_for_update().filter(status=Offer.Status.PENDING).first()


def _other_side(actor: str) -> tuple[str, str]:
    """Whose move it is after ``actor`` speaks, and which platform window applies."""
    if actor == Actor.MERCHANT:
        return Dispute.Side.BUYER, "buyer_response_window"
    return Dispute.Side.MERCHANT, "merchant_response_window"


@transaction.atomic
def offer_make(
    *,
    dispute: Dispute,
    party: Party,
    amount_fen: int | None = None,
    percent: int | None = None,
    message: str = "",
    user=None,
) -> Offer:
    """Propose a partial refund. Answering a pending offer of the other side counters it."""
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    paid = dispute.order.amount_fen
    amount = amount_from(paid, amount_fen=amount_fen, percent=percent)
    if not 0 < amount < paid:
        raise DomainError(
            _("An offer must be more than zero and less than the %(paid)s paid.")
            % {"paid": yuan(paid)},
            field="amount",
        )
    pending = _pending_offer(dispute)
    if pending and pending.made_by_id == party.pk:
        raise DomainError(
            _("Your previous offer is still waiting for an answer."), code="offer_pending"
        )
    if actor == Actor.BUYER and pending is None:
        raise DomainError(_("There is no offer to counter."), code="no_offer", field="amount")
    name = "counter" if pending else "offer"
    if pending:
        pending.status = Offer.Status.COUNTERED
        pending.answered_at = timezone.now()
        pending.save(update_fields=["status", "answered_at"])
    waiting_on, window = _other_side(actor)
    event = lifecycle.apply(
        dispute,
        name,
        actor=actor,
        user=user,
        waiting_on=waiting_on,
        due=timezone.now() + getattr(dispute.platform, window),
        payload={"amount_fen": amount, "percent": percent},
    )
    offer = Offer.objects.create(
        dispute=dispute,
        made_by=party,
        amount_fen=amount,
        percent=percent,
        message=message.strip(),
        counter_to=pending,
    )
    event.payload["offer"] = offer.pk
    event.save(update_fields=["payload"])
    webhooks_emit(
        platform=dispute.platform, type=EventType.OFFER_CREATED, data=payloads.offer_data(offer)
    )
    return offer


def _answerable_offer(dispute: Dispute, party: Party) -> Offer:
    pending = _pending_offer(dispute)
    if pending is None or pending.made_by_id == party.pk:
        raise DomainError(_("There is no offer waiting for your answer."), code="no_offer")
    return pending


@transaction.atomic
def offer_accept(*, dispute: Dispute, party: Party, user=None) -> Decision:
    """Accepting settles the dispute for the offered amount."""
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    offer = _answerable_offer(dispute, party)
    offer.status = Offer.Status.ACCEPTED
    offer.answered_at = timezone.now()
    offer.save(update_fields=["status", "answered_at"])
    webhooks_emit(
        platform=dispute.platform, type=EventType.OFFER_ACCEPTED, data=payloads.offer_data(offer)
    )
    lifecycle.apply(dispute, "accept_offer", actor=actor, user=user, payload={"offer": offer.pk})
    return settle(
        dispute,
        outcome=Decision.Outcome.PARTIAL_REFUND,
        amount_fen=offer.amount_fen,
        reasoning=_("Both parties agreed on a partial refund of %(amount)s.")
        % {"amount": yuan(offer.amount_fen)},
        source=Decision.Source.AGREEMENT,
        user=user,
    )


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
