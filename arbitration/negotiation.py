"""The negotiation thread of a dispute page (协商记录): every offer and counter-offer with its
amount and message, and every answer to one (accepted, rejected with its reason, lapsed), in
the order they happened. It is read from the offers and the ``reject_offer`` audit rows, so
an answered offer stays on the page with what was said."""

from dataclasses import dataclass, field
from datetime import datetime

from .models import Dispute, Offer

Status = Offer.Status


@dataclass(frozen=True)
class Entry:
    kind: str  # "offer", "counter", "accepted", "rejected", "lapsed"
    side: str  # "buyer" or "merchant": who said it
    at: datetime
    offer: Offer
    message: str = ""
    lines: list = field(default_factory=list)


def _side(dispute: Dispute, offer: Offer) -> str:
    return "buyer" if offer.made_by_id == dispute.buyer_id else "merchant"


def _other(side: str) -> str:
    return "merchant" if side == "buyer" else "buyer"


def thread(dispute: Dispute) -> list[Entry]:
    offers = {o.pk: o for o in dispute.offers.prefetch_related("lines")}
    reasons = {
        event.payload.get("offer"): (event.payload.get("message") or "", event.created_at)
        for event in dispute.events.filter(action="reject_offer")
    }
    entries = []
    for offer in offers.values():
        side, answered = _side(dispute, offer), offer.answered_at or offer.created_at
        kind = "counter" if offer.counter_to_id else "offer"
        lines = list(offer.lines.all())
        entries.append(Entry(kind, side, offer.created_at, offer, offer.message, lines))
        if offer.status == Status.ACCEPTED:
            entries.append(Entry("accepted", _other(side), answered, offer))
        elif offer.status == Status.REJECTED:
            reason, at = reasons.get(offer.pk, ("", answered))
            entries.append(Entry("rejected", _other(side), at, offer, reason))
        elif offer.status == Status.LAPSED:
            entries.append(Entry("lapsed", _other(side), answered, offer))
    # an answer sorts before the counter-offer made in the same instant
    return sorted(entries, key=lambda e: (e.at, e.kind in ("offer", "counter")))
