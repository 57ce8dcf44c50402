"""Who is told what: the one place that maps a dispute event to notifications.

An action missing here notifies nobody, so a new transition never breaks delivery. ``to``
names the recipients relative to the event:

- ``buyer`` / ``merchant`` / ``both``: those parties of the dispute;
- ``other``: the side that did not act (both when the system, platform or an arbitrator
  acted); for an answer to an offer that is the side that made the offer;
- ``named``: the side the payload names (``side``), e.g. whom an arbitrator asked for
  evidence.

``cause`` groups events that tell the same thing: the transition that decides a dispute and
the decision row it writes share ``decision``, so each party hears of it once.

Credit notices (a tier change, a decided appeal, a reviewed credit proposal) are about one
party and need not have a dispute (an AI listing photo is proposed outside any), so they come
from the credit signals (``receivers.py``); their audit lines in a dispute's trail
(``credit_appeal_*``, ``credit_proposal_reviewed``) are left out of this table on purpose, so
nobody hears of them twice.
"""

from dataclasses import dataclass

from .models import Notification

Kind = Notification.Kind


@dataclass(frozen=True)
class Rule:
    kind: str
    to: str
    cause: str = ""


RULES: dict[str, Rule] = {
    "submit": Rule(Kind.DISPUTE_OPENED, "merchant", cause="opened"),
    "offer": Rule(Kind.OFFER_MADE, "other"),
    "counter": Rule(Kind.OFFER_COUNTERED, "other"),
    "accept_offer": Rule(Kind.OFFER_ACCEPTED, "other"),
    # a review-required dispute (credit tiers): the agreement goes to an arbitrator first
    "accept_offer_for_review": Rule(Kind.OFFER_ACCEPTED, "other"),
    "accept_claim_for_review": Rule(Kind.ESCALATED, "other"),
    "reject_offer": Rule(Kind.OFFER_REJECTED, "other"),
    "request_evidence": Rule(Kind.EVIDENCE_REQUESTED, "named"),
    "escalate": Rule(Kind.ESCALATED, "other"),
    "decide": Rule(Kind.DECISION_MADE, "both", cause="decision"),
    "default_decide": Rule(Kind.DECISION_MADE, "both", cause="decision"),
    "fast_refund": Rule(Kind.DECISION_MADE, "both", cause="decision"),
    "decision": Rule(Kind.DECISION_MADE, "both", cause="decision"),
    "refund": Rule(Kind.REFUND_COMPLETED, "buyer"),
    "withdraw": Rule(Kind.WITHDRAWN, "merchant"),
    "expire": Rule(Kind.EXPIRED, "both"),
    # remedies (services/remedies.py): each step tells the side that waits for it
    "await_return": Rule(Kind.SHIPMENT, "buyer"),
    "ship_return": Rule(Kind.SHIPMENT, "other"),
    "acknowledge_return": Rule(Kind.SHIPMENT, "buyer"),
    "return_lapse": Rule(Kind.SHIPMENT, "both"),
    "await_replacement": Rule(Kind.SHIPMENT, "merchant"),
    "ship_replacement": Rule(Kind.SHIPMENT, "other"),
    "confirm_replacement": Rule(Kind.SHIPMENT, "other"),
    "replacement_lapse": Rule(Kind.SHIPMENT, "both"),
    # appeals of a decision (services/appeals.py): both sides hear of the filing and outcome
    "appeal_filed": Rule(Kind.APPEAL, "other"),
    "appeal_upheld": Rule(Kind.APPEAL, "both"),
    "appeal_overturned": Rule(Kind.APPEAL, "both"),
    # a fast refund's evidence found fabricated (services/recoveries.py)
    "recovery_requested": Rule(Kind.RECOVERY, "both"),
}

NOTIFYING_ACTIONS = frozenset(RULES)
SIDES = ("buyer", "merchant")


def recipient_sides(rule: Rule, actor: str, payload: dict) -> list[str]:
    """The sides (``buyer``/``merchant``) to tell, for an event by ``actor``."""
    if rule.to in SIDES:
        return [rule.to]
    if rule.to == "both":
        return list(SIDES)
    if rule.to == "other":
        if actor == "buyer":
            return ["merchant"]
        if actor == "merchant":
            return ["buyer"]
        return list(SIDES)
    if rule.to == "named":
        named = payload.get("side", "")
        if named == "both":
            return list(SIDES)
        return [named] if named in SIDES else []
    return []


def rule_for(action: str) -> Rule | None:
    return RULES.get(action)
