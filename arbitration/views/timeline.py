"""Audit rows told as sentences for the party reading them ("You", "The merchant", ...)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import MerchantReport

from ..models import Decision, Dispute, DisputeEvent, Offer, Shipment
from ..services.common import yuan
from .settlement_texts import settlement_texts

Actor = DisputeEvent.Actor


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str
    text: str
    note: str


def _who(actor: str, side: str) -> str:
    if actor == side:
        return _("You")
    return {
        Actor.BUYER: _("The buyer"),
        Actor.MERCHANT: _("The merchant"),
        Actor.ARBITRATOR: _("The arbitrator"),
        Actor.PLATFORM: _("The platform"),
    }.get(actor, _("Tianping"))


def _money(payload: dict) -> str:
    amount = yuan(int(payload.get("amount_fen") or 0))
    if payload.get("percent"):
        return _("%(amount)s (%(percent)s %% of the order)") % {
            "amount": amount,
            "percent": payload["percent"],
        }
    return amount


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe(event: DisputeEvent, side: str) -> Entry:
    """One timeline line; unknown actions fall back to the new state."""
    who = _who(event.actor, side)
    p = event.payload or {}
    texts = {
        "opened": lambda: (
            _("%(who)s opened the dispute: %(reason)s.")
            % {"who": who, "reason": _label(Dispute.Reason, p.get("reason", ""))}
        ),
        "submit": lambda: _("The claim was sent to the merchant."),
        "evidence_added": lambda: (
            _("%(who)s added %(count)s photo(s) or video(s).")
            % {"who": who, "count": p.get("count", 0)}
        ),
        "merchant_responded": lambda: _("%(who)s responded to the claim.") % {"who": who},
        "dossier_exported": lambda: _("%(who)s exported the case file.") % {"who": who},
        "offer": lambda: (
            _offer_text(who, p)
            or _("%(who)s offered a partial refund of %(money)s.")
            % {"who": who, "money": _money(p)}
        ),
        "counter": lambda: (
            _offer_text(who, p)
            or _("%(who)s made a counter-offer of %(money)s.") % {"who": who, "money": _money(p)}
        ),
        "reject_offer": lambda: _("%(who)s rejected the offer.") % {"who": who},
        "accept_offer": lambda: _("%(who)s accepted the offer.") % {"who": who},
        "accept_claim": lambda: _("%(who)s accepted the buyer's claim.") % {"who": who},
        "accept_offer_for_review": lambda: (
            _("%(who)s accepted the offer; an arbitrator will confirm it before it is carried out.")
            % {"who": who}
        ),
        "accept_claim_for_review": lambda: (
            _(
                "%(who)s accepted the buyer's claim; an arbitrator will confirm it before it "
                "is carried out."
            )
            % {"who": who}
        ),
        "fast_refund": lambda: (
            _(
                "Fast refund of %(amount)s: the buyer is in good standing and the claim is "
                "within the platform's limit, so it was refunded without waiting for the "
                "merchant. The merchant can still report the buyer."
            )
            % {"amount": yuan(int(p.get("amount_fen") or 0))}
        ),
        "escalate": lambda: (
            _("The deadline passed, so an arbitrator will decide.")
            if event.actor == Actor.SYSTEM
            else _("%(who)s asked an arbitrator to decide.") % {"who": who}
        ),
        "decide": lambda: _("The arbitrator decided the dispute."),
        "default_decide": lambda: _(
            "The merchant did not answer in time, so the claim was granted."
        ),
        "decision": lambda: (
            _("Decision: %(outcome)s, refund %(amount)s.")
            % {
                "outcome": _label(Decision.Outcome, p.get("outcome", "")),
                "amount": yuan(int(p.get("amount_fen") or 0)),
            }
        ),
        "refund": lambda: (
            _("The refund of %(amount)s was paid.")
            % {"amount": yuan(int(p.get("amount_fen") or 0))}
        ),
        "close": lambda: _("The dispute was closed."),
        "withdraw": lambda: _("%(who)s withdrew the dispute.") % {"who": who},
        "expire": lambda: _("The dispute expired: nobody answered before the deadline."),
        "buyer_reported": lambda: (
            _("%(who)s reported the buyer: %(category)s.")
            % {"who": who, "category": _label(MerchantReport.Category, p.get("category", ""))}
        ),
    }
    texts.update(_remedy_texts(event, who, side, p))
    texts.update(settlement_texts(who, p))
    make = texts.get(event.action)
    if make is None:
        text = _("The dispute is now %(state)s.") % {"state": _label(Dispute.State, event.to_state)}
    else:
        text = make()
    note = p.get("statement") or p.get("message") or p.get("what") or ""
    return Entry(at=event.created_at, actor=event.actor, text=text, note=note)


def _offer_text(who: str, p: dict) -> str:
    """An offer of a return or a replacement; a partial refund keeps the plain wording."""
    if p.get("remedy") == Offer.Remedy.REPLACEMENT:
        return _("%(who)s offered a replacement.") % {"who": who}
    if p.get("remedy") == Offer.Remedy.RETURN_AND_REFUND:
        return _("%(who)s offered to take the item back and refund %(amount)s.") % {
            "who": who,
            "amount": yuan(int(p.get("amount_fen") or 0)),
        }
    return ""


def _when(text: str) -> str:
    moment = parse_datetime(text or "")
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _remedy_texts(event: DisputeEvent, who: str, side: str, p: dict) -> dict:
    """The steps of a return or a replacement, and evidence requests."""
    deemed = event.actor == Actor.SYSTEM
    parcel = {
        "who": who,
        "carrier": _label(Shipment.Carrier, p.get("carrier", "")),
        "number": p.get("tracking_number", ""),
    }
    amount = yuan(int(p.get("amount_fen") or 0))
    asked = p.get("side", "")
    whom = (
        _("you")
        if asked == side
        else {Actor.BUYER: _("the buyer"), Actor.MERCHANT: _("the merchant")}.get(asked, "")
    )
    return {
        "await_return": lambda: (
            _("The item is to be sent back to the merchant (return code %(code)s).")
            % {"code": p.get("return_code", "")}
        ),
        "ship_return": lambda: _("%(who)s sent the item back: %(carrier)s %(number)s.") % parcel,
        "acknowledge_return": lambda: (
            _(
                "The merchant did not confirm in time, so the return counts as received; "
                "the refund of %(amount)s follows."
            )
            % {"amount": amount}
            if deemed
            else _("%(who)s confirmed the return arrived; the refund of %(amount)s follows.")
            % {"who": who, "amount": amount}
        ),
        "return_lapse": lambda: _(
            "The item was not sent back in time, so the dispute closed without a refund."
        ),
        "await_replacement": lambda: _("The merchant is to send a replacement."),
        "ship_replacement": lambda: (
            _("%(who)s sent the replacement: %(carrier)s %(number)s.") % parcel
        ),
        "confirm_replacement": lambda: (
            _("Nobody reported a problem in time, so the replacement counts as received.")
            if deemed
            else _("%(who)s confirmed the replacement arrived.") % {"who": who}
        ),
        "replacement_lapse": lambda: (
            _("The replacement was not sent in time, so the buyer is refunded %(amount)s instead.")
            % {"amount": amount}
        ),
        "request_evidence": lambda: (
            _("The arbitrator asked %(whom)s for more evidence by %(due)s.")
            % {"whom": whom, "due": _when(p.get("due_at", ""))}
        ),
        "evidence_request_fulfilled": lambda: (
            _("%(who)s sent the evidence the arbitrator asked for.") % {"who": who}
        ),
        "evidence_request_lapsed": lambda: (
            _("The time for %(whom)s to send the evidence asked for ran out.") % {"whom": whom}
        ),
    }
