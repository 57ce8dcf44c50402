"""The words of a notification, rendered when read: in the reader's language and time zone.

``context`` holds facts only (reference, amounts in fen, sides, times as ISO strings); a
missing fact renders as an empty part instead of failing, so old rows stay readable.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from arbitration.services.common import yuan

from .models import Notification
from .timefmt import absolute_text, relative_text

Kind = Notification.Kind
# Kinds that hand the reader the next move: their text ends with the deadline, if still set.
ANSWER_BY = frozenset({Kind.DISPUTE_OPENED, Kind.OFFER_MADE, Kind.OFFER_COUNTERED})


def _who(side: str) -> str:
    return {
        "buyer": _("The buyer"),
        "merchant": _("The merchant"),
        "arbitrator": _("The arbitrator"),
    }.get(side, _("Tianping"))


def _money(context: dict) -> str:
    return yuan(int(context.get("amount_fen") or 0))


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return f"{absolute_text(moment)}, {relative_text(moment)}"


def _outcome(context: dict) -> str:
    from arbitration.models import Decision

    value = context.get("outcome", "")
    return str(Decision.Outcome(value).label) if value in Decision.Outcome.values else value


def _tier(value: str) -> str:
    from accounts.models import CreditTier

    return str(CreditTier(value).label) if value in CreditTier.values else value


def _credit_kind(value: str) -> str:
    from accounts.models import CreditEvent

    return str(CreditEvent.Kind(value).label) if value in CreditEvent.Kind.values else value


def _with_note(text: str, facts: dict) -> str:
    if not facts["note"]:
        return text
    return _join(text, _("Note from the arbitrator: %(note)s") % facts)


def _join(*sentences: str) -> str:
    """Sentences one after the other. Each went through gettext on its own: a call inside an
    f-string would never reach the catalogue."""
    return " ".join(sentences)


def _appeal_text(context: dict) -> str:
    facts = {"event": _credit_kind(context.get("event_kind", "")), "note": context.get("note", "")}
    if context.get("status") == "reversed":
        text = _("The arbitrator reversed the event you appealed (%(event)s); it no longer counts.")
    else:
        text = _("The arbitrator confirmed the event you appealed (%(event)s); it still counts.")
    text = text % facts
    return _with_note(text, facts)


def _proposal_text(context: dict) -> str:
    facts = {
        "event": _credit_kind(context.get("event_kind", "")),
        "points": context.get("points", ""),
        "note": context.get("note", ""),
    }
    if context.get("status") == "confirmed":
        text = _(
            "An arbitrator reviewed what our checks found (%(event)s) and confirmed it: "
            "%(points)s points were booked on your credit record. You can appeal it there."
        )
    else:
        text = _(
            "An arbitrator reviewed what our checks found (%(event)s) and dismissed it: "
            "nothing was booked on your credit record."
        )
    text = text % facts
    return _with_note(text, facts)


def _shipment_text(step: str, has_due: bool) -> str:
    texts = {
        "await_return": _("Send the item back by %(due)s; you are refunded once it arrives."),
        "ship_return": _(
            "The buyer sent the item back (tracking %(tracking)s). Confirm it arrived by %(due)s."
        ),
        "acknowledge_return": _("Your return arrived; the refund of %(money)s is on its way."),
        "return_lapse": _("The item was not sent back in time; the return ended without a refund."),
        "await_replacement": _("Ship a replacement by %(due)s."),
        "ship_replacement": _("The merchant shipped a replacement (tracking %(tracking)s)."),
        "confirm_replacement": _("The replacement arrived; the dispute is closed."),
        "replacement_lapse": _(
            "No replacement was shipped in time; the buyer is refunded instead."
        ),
    }
    text = texts.get(step, _("%(who)s recorded a shipping step."))
    if "%(due)s" in text and not has_due:
        return _("%(who)s recorded a shipping step.")
    return text


def _appeal_step_text(context: dict) -> str:
    step = context.get("step", "")
    if step == "appeal_filed":
        return _("%(who)s appealed the decision; another arbitrator will review it.") % {
            "who": _who(context.get("side", ""))
        }
    if step == "appeal_upheld":
        return _("The appeal was reviewed and the decision stands.")
    adjustment = int(context.get("adjustment_fen") or 0)
    facts = {"outcome": _outcome(context), "money": yuan(abs(adjustment))}
    if adjustment > 0:
        text = _("The decision was overturned: %(outcome)s. The buyer is owed %(money)s more.")
    elif adjustment < 0:
        text = _("The decision was overturned: %(outcome)s. The buyer owes %(money)s back.")
    else:
        text = _("The decision was overturned: %(outcome)s.")
    return text % facts


def title(notification: Notification) -> str:
    c = notification.context
    ref = c.get("reference", "")
    kind = notification.kind
    titles = {
        Kind.DISPUTE_OPENED: _("New dispute %(ref)s"),
        Kind.OFFER_MADE: _("New offer on %(ref)s"),
        Kind.OFFER_COUNTERED: _("Counter-offer on %(ref)s"),
        Kind.OFFER_ACCEPTED: _("Your offer on %(ref)s was accepted"),
        Kind.OFFER_REJECTED: _("Your offer on %(ref)s was rejected"),
        Kind.EVIDENCE_REQUESTED: _("More evidence requested on %(ref)s"),
        Kind.ESCALATED: _("%(ref)s went to an arbitrator"),
        Kind.DECISION_MADE: _("%(ref)s has been decided"),
        Kind.REFUND_COMPLETED: _("Refund paid on %(ref)s"),
        Kind.WITHDRAWN: _("%(ref)s was withdrawn"),
        Kind.EXPIRED: _("%(ref)s expired"),
        Kind.SHIPMENT: _("Shipping update on %(ref)s"),
        Kind.APPEAL: _("Appeal on %(ref)s"),
        Kind.RECOVERY: _("Fast refund on %(ref)s to be recovered"),
        Kind.DEADLINE_APPROACHING: _("Deadline approaching on %(ref)s"),
        Kind.CREDIT_TIER_CHANGED: _("Your credit tier changed"),
        Kind.CREDIT_APPEAL_DECIDED: _("Your credit appeal was decided"),
        Kind.CREDIT_PROPOSAL_REVIEWED: _("A credit check was reviewed"),
    }
    return titles.get(kind, _("Update on %(ref)s")) % {"ref": ref}


def body(notification: Notification) -> str:
    c = notification.context
    kind = notification.kind
    who = _who(c.get("by", ""))
    facts = {
        "who": who,
        "money": _money(c),
        "order": c.get("order_title", ""),
        "due": _when(c.get("due_at")),
    }
    if kind == Kind.DISPUTE_OPENED:
        text = _("The buyer opened a dispute on %(order)s.")
    elif kind == Kind.OFFER_MADE:
        text = _("%(who)s offered a partial refund of %(money)s.")
    elif kind == Kind.OFFER_COUNTERED:
        text = _("%(who)s made a counter-offer of %(money)s.")
    elif kind == Kind.OFFER_ACCEPTED:
        text = _("%(who)s accepted your offer of %(money)s.")
    elif kind == Kind.OFFER_REJECTED:
        text = _("%(who)s rejected your offer of %(money)s.")
    elif kind == Kind.EVIDENCE_REQUESTED:
        facts["what"] = c.get("what", "")
        text = _("The arbitrator asks you for more evidence: %(what)s")
        if c.get("due_at"):
            text = _("The arbitrator asks you for more evidence by %(due)s: %(what)s")
    elif kind == Kind.ESCALATED:
        text = _(
            "An arbitrator will review the evidence and decide. No more evidence can be added."
        )
    elif kind == Kind.DECISION_MADE:
        facts["outcome"] = _outcome(c)
        text = _("Outcome: %(outcome)s, refund %(money)s.")
    elif kind == Kind.REFUND_COMPLETED:
        text = _("%(money)s has been refunded to you.")
    elif kind == Kind.WITHDRAWN:
        text = _("The buyer withdrew the dispute on %(order)s.")
    elif kind == Kind.EXPIRED:
        text = _("Nobody answered before the deadline; the dispute on %(order)s has ended.")
    elif kind == Kind.SHIPMENT:
        facts["tracking"] = c.get("tracking", "")
        text = _shipment_text(c.get("step", ""), bool(c.get("due_at")))
    elif kind == Kind.APPEAL:
        return _appeal_step_text(c)
    elif kind == Kind.RECOVERY:
        text = _(
            "An arbitrator found evidence behind the fast refund fabricated: the platform "
            "recovers the %(money)s it paid."
        )
    elif kind == Kind.DEADLINE_APPROACHING and c.get("request"):
        facts["what"] = c.get("what", "")
        text = _(
            "The arbitrator is still waiting for the evidence asked of you on %(order)s. "
            "Send it by %(due)s: %(what)s"
        )
    elif kind == Kind.DEADLINE_APPROACHING:
        text = _("It is your move on %(order)s. Answer by %(due)s, or the deadline decides.")
    elif kind == Kind.CREDIT_TIER_CHANGED:
        facts["old"], facts["new"] = _tier(c.get("old_tier", "")), _tier(c.get("new_tier", ""))
        facts["score"] = c.get("score", "")
        text = _("Your credit tier went from %(old)s to %(new)s (score %(score)s).")
    elif kind == Kind.CREDIT_APPEAL_DECIDED:
        return _appeal_text(c)
    elif kind == Kind.CREDIT_PROPOSAL_REVIEWED:
        return _proposal_text(c)
    else:
        text = _("Something changed on %(order)s.")
    text = text % facts
    if kind in ANSWER_BY and facts["due"]:
        text = _join(text, _("Answer by %(due)s.") % facts)
    return text
