"""Helpers shared by the services: locking, sides and money."""

from django.utils.translation import gettext as _

from accounts.models import Party

from ..errors import DomainError, NotAllowed
from ..models import Dispute, DisputeEvent


def locked(dispute: Dispute) -> Dispute:
    """Re-read the dispute under a row lock; callers are inside ``transaction.atomic``.

    Only the dispute row is locked (``of=("self",)``): a plain FOR UPDATE over the join would
    also lock the order and both parties, serialising every dispute of a busy merchant and
    deadlocking against an insert that references those rows (opening a new dispute).
    """
    return (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("platform", "order", "buyer", "merchant")
        .get(pk=dispute.pk)
    )


def appeal_deadline(decision):
    """Until when a decision may be appealed (and a fast refund's photos flagged)."""
    return decision.created_at + decision.dispute.platform.appeal_window


def side_of(dispute: Dispute, party: Party) -> str:
    """The actor a party is in this dispute, or ``NotAllowed`` for an outsider."""
    if party.pk == dispute.buyer_id:
        return DisputeEvent.Actor.BUYER
    if party.pk == dispute.merchant_id:
        return DisputeEvent.Actor.MERCHANT
    raise NotAllowed(_("You are not a party to this dispute."))


def amount_from(
    order_amount_fen: int, *, amount_fen: int | None, percent: int | None, field: str = "amount"
) -> int:
    """Resolve an amount given either in fen or as a whole percent of the order.

    Percentages round half up to the fen, so 30 % of 99.99 yuan is 30.00 yuan.
    """
    if (amount_fen is None) == (percent is None):
        raise DomainError(_("Give either an amount or a percentage."), field=field)
    if percent is not None:
        if not 0 < percent <= 100:
            raise DomainError(_("A percentage must be between 1 and 100."), field="percent")
        return percent_of(order_amount_fen, percent)
    if amount_fen < 0:
        raise DomainError(_("An amount cannot be negative."), field=field)
    if amount_fen > order_amount_fen:
        raise DomainError(
            _("The amount cannot exceed what the buyer paid (%(paid)s).")
            % {"paid": yuan(order_amount_fen)},
            field=field,
        )
    return amount_fen


def percent_of(base_fen: int, percent: int) -> int:
    """``percent`` % of ``base_fen``, rounded half up to the fen: the one rounding rule."""
    return (base_fen * percent + 50) // 100


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"
