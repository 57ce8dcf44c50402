"""Reads for the buyer and merchant pages, always scoped to the parties of the user asking.

Every page loads its objects through these, so another party's dispute, order or file is
simply not found (404) rather than forbidden: its existence is not revealed.
"""

from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import MerchantReport, Party
from evidence.models import Evidence

from . import lifecycle
from .models import Dispute, DisputeEvent, Offer, Order

Actor = DisputeEvent.Actor

INBOX_SORTS = {
    "deadline": (F("deadline_at").asc(nulls_last=True), "-opened_at"),
    "-deadline": (F("deadline_at").desc(nulls_last=True), "-opened_at"),
    "opened": ("opened_at",),
    "-opened": ("-opened_at",),
}


# A buyer's draft (``open``, not yet sent) is the buyer's alone: to the merchant it does not
# exist, neither its page nor its files nor any move on it.
SENT = ~Q(state=Dispute.State.OPEN)


def disputes_for_user(user) -> QuerySet[Dispute]:
    """Disputes in which the user is the buyer, or the merchant once the buyer has sent it."""
    return Dispute.objects.filter(
        Q(buyer__user=user) | Q(SENT, merchant__user=user)
    ).select_related("order", "buyer", "merchant", "platform")


def dispute_for_user(user, pk: int, *, side: str | None = None) -> tuple[Dispute, Party, str]:
    """The dispute, the user's party in it and that party's side; 404 for anyone else.

    With ``side`` the user must be that side (a buyer posting a merchant action gets a 404).
    """
    dispute = disputes_for_user(user).filter(pk=pk).first()
    if dispute is None:
        raise Http404
    if dispute.buyer.user_id == user.pk:
        party, actor = dispute.buyer, Actor.BUYER
    else:
        party, actor = dispute.merchant, Actor.MERCHANT
    if side is not None and actor != side:
        raise Http404
    return dispute, party, actor


ALL = Q()


def _with_disputes(orders: QuerySet[Order], disputes: Q = ALL) -> QuerySet[Order]:
    return orders.select_related("merchant", "buyer").prefetch_related(
        Prefetch("disputes", queryset=Dispute.objects.filter(disputes).order_by("-opened_at"))
    )


def orders_for_buyer(user) -> QuerySet[Order]:
    return _with_disputes(Order.objects.filter(buyer__user=user))


def order_for_buyer(user, pk: int) -> Order:
    order = Order.objects.filter(buyer__user=user, pk=pk).select_related("buyer", "merchant")
    return _first_or_404(order)


def orders_for_merchant(user) -> QuerySet[Order]:
    listing = Evidence.objects.filter(role=Evidence.Role.LISTING).select_related("submitted_by")
    packing = Evidence.objects.filter(role=Evidence.Role.PACKING).select_related("submitted_by")
    return _with_disputes(Order.objects.filter(merchant__user=user), SENT).prefetch_related(
        Prefetch("evidence", queryset=listing, to_attr="listing_photos"),
        Prefetch("evidence", queryset=packing, to_attr="packing_photos"),
    )


def order_for_merchant(user, pk: int) -> Order:
    order = Order.objects.filter(merchant__user=user, pk=pk).select_related("buyer", "merchant")
    return _first_or_404(order)


def merchant_inbox(user, sort: str = "deadline") -> QuerySet[Dispute]:
    """The merchant's sent disputes, the ones still running first, by the chosen order."""
    ordering = INBOX_SORTS.get(sort, INBOX_SORTS["deadline"])
    return (
        Dispute.objects.filter(SENT, merchant__user=user)
        .select_related("order", "buyer")
        .order_by(*ordering)
    )


def has_merchant_parties(user) -> bool:
    return Party.objects.filter(user=user, kind=Party.Kind.MERCHANT).exists()


def pending_offer(dispute: Dispute) -> Offer | None:
    return dispute.offers.filter(status=Offer.Status.PENDING).select_related("made_by").first()


def dispute_evidence(dispute: Dispute) -> dict[str, list[Evidence]]:
    """Both sides' evidence and the order's listing photos, grouped by role."""
    items = Evidence.objects.filter(
        Q(dispute=dispute) | Q(order=dispute.order, role=Evidence.Role.LISTING)
    ).select_related("submitted_by")
    groups: dict[str, list[Evidence]] = {role: [] for role in Evidence.Role.values}
    for item in items:
        groups[item.role].append(item)
    return groups


# The merchant's own moves against the buyer's photos and standing, and its packing photos.
MERCHANT_ONLY_ACTIONS = (
    "buyer_reported",
    "packing_photos_added",
    "photo_flagged",
    "flag_upheld",
    "flag_dismissed",
)


def dispute_timeline(dispute: Dispute, side: str) -> list[DisputeEvent]:
    """Audit rows a party may read; a merchant's report of the buyer, flags on the buyer's
    photos and packing photos stay off the buyer's,
    and credit appeals (a party's own standing) stay off both: the credit page shows them."""
    events = dispute.events.exclude(action__startswith="credit_")
    if side == Actor.BUYER:
        events = events.exclude(action__in=MERCHANT_ONLY_ACTIONS)
    return list(events)


def has_reported(dispute: Dispute, party: Party) -> bool:
    return MerchantReport.objects.filter(dispute=dispute, merchant=party).exists()


@dataclass(frozen=True)
class Moves:
    """What the party looking at the page may do now; decides which buttons show."""

    answer_offer: bool
    counter: bool
    make_offer: bool
    escalate: bool
    withdraw: bool
    accept_claim: bool
    respond: bool
    add_evidence: bool
    report: bool


def moves_for(dispute: Dispute, side: str, offer: Offer | None, *, reported: bool) -> Moves:
    """Buttons follow the state machine (``lifecycle.allowed``) and the pending offer."""
    mine = offer is not None and offer.made_by_id == (
        dispute.buyer_id if side == Actor.BUYER else dispute.merchant_id
    )
    theirs = offer is not None and not mine
    is_merchant = side == Actor.MERCHANT
    evidence_open = dispute.state in lifecycle.EVIDENCE_STATES
    return Moves(
        answer_offer=theirs and lifecycle.allowed(dispute, "accept_offer", side),
        counter=theirs and not is_merchant and lifecycle.allowed(dispute, "counter", side),
        make_offer=is_merchant
        and not mine
        and (
            lifecycle.allowed(dispute, "offer", side)
            or (theirs and lifecycle.allowed(dispute, "counter", side))
        ),
        escalate=lifecycle.allowed(dispute, "escalate", side),
        withdraw=lifecycle.allowed(dispute, "withdraw", side),
        accept_claim=lifecycle.allowed(dispute, "accept_claim", side),
        respond=is_merchant and evidence_open,
        add_evidence=evidence_open,
        report=is_merchant and not reported,
    )


def evidence_file_for(user, uid, *, original: bool = False) -> Evidence:
    """An evidence file the user may fetch; 404 for everyone else.

    The safe copy goes to both parties of the dispute (of the order, for listing photos) and
    to arbitrators; the merchant's packing photos only to the merchant and arbitrators; the
    original only to the party that submitted it and to arbitrators.
    """
    items = Evidence.objects.filter(uid=uid)
    if not (user.is_authenticated and user.can_arbitrate):
        if not user.is_authenticated:
            raise Http404
        if original:
            items = items.filter(submitted_by__user=user)
        else:
            items = items.filter(
                Q(dispute__buyer__user=user)
                | Q(~Q(dispute__state=Dispute.State.OPEN), dispute__merchant__user=user)
                | (
                    Q(dispute__isnull=True, order__buyer__user=user)
                    & ~Q(role=Evidence.Role.PACKING)
                )
                | Q(dispute__isnull=True, order__merchant__user=user)
            )
    return _first_or_404(items)


def _first_or_404(queryset):
    item = queryset.first()
    if item is None:
        raise Http404
    return item
