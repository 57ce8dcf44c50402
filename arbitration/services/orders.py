"""Orders pushed by a platform, with their buyer and merchant."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party, Platform

from ..errors import DomainError
from ..models import Order

CONTACT_FIELDS = ("phone", "address", "city")


def party_upsert(*, platform: Platform, kind: str, external_id: str, name: str, **contact) -> Party:
    """The platform's buyer or merchant by its own id; name and given contact details refresh.

    Contact fields left out keep what is stored, so a platform may send them only once.
    """
    values = {"display_name": name, **{k: v for k, v in contact.items() if k in CONTACT_FIELDS}}
    party, created = Party.objects.select_for_update().get_or_create(
        platform=platform, kind=kind, external_id=external_id, defaults=values
    )
    if not created and any(getattr(party, k) != v for k, v in values.items()):
        for name_, value in values.items():
            setattr(party, name_, value)
        party.save(update_fields=list(values))
    return party


@transaction.atomic
def order_upsert(
    *,
    platform: Platform,
    external_id: str,
    buyer: dict,
    merchant: dict,
    title: str,
    amount_fen: int,
    items: list,
    currency: str = "CNY",
    placed_at: datetime | None = None,
    delivered_at: datetime | None = None,
) -> tuple[Order, bool]:
    """Create the platform's order ``external_id`` or bring it up to date; ``True`` if new.

    An order's buyer and merchant never change, and once it has a dispute its amount is
    fixed too: the claim and any refund were measured against it.
    """
    if amount_fen <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount_fen")
    buyer_party = party_upsert(platform=platform, kind=Party.Kind.BUYER, **buyer)
    merchant_party = party_upsert(platform=platform, kind=Party.Kind.MERCHANT, **merchant)
    values = {
        "title": title,
        "amount_fen": amount_fen,
        "items": items,
        "currency": currency,
        "delivered_at": delivered_at,
    }
    order = Order.objects.select_for_update().filter(platform=platform, external_id=external_id)
    order = order.first()
    if order is None:
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    platform=platform,
                    external_id=external_id,
                    buyer=buyer_party,
                    merchant=merchant_party,
                    placed_at=placed_at or timezone.now(),
                    **values,
                )
        except IntegrityError as exc:
            raise DomainError(
                _("This order is being created by another request; retry."),
                code="conflict",
                field="external_id",
            ) from exc
        return order, True
    if order.buyer_id != buyer_party.pk:
        raise DomainError(_("An order's buyer cannot change."), code="immutable", field="buyer")
    if order.merchant_id != merchant_party.pk:
        raise DomainError(
            _("An order's merchant cannot change."), code="immutable", field="merchant"
        )
    if order.amount_fen != amount_fen and order.disputes.exists():
        raise DomainError(
            _("The amount of an order with a dispute cannot change."),
            code="immutable",
            field="amount_fen",
        )
    if placed_at is not None:
        values["placed_at"] = placed_at
    for name, value in values.items():
        setattr(order, name, value)
    order.save(update_fields=list(values))
    return order, False
