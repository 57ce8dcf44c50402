"""How risky a dispute is, for the order of the console's queue: findings × credit × amount.

``risk = findings × credit × amount``, each factor in 0..1, so the product is too:

=========  =================================================================  ==========
factor     from                                                               range
=========  =================================================================  ==========
findings   ``FINDINGS_FLOOR + (1 - FINDINGS_FLOOR) × highest forgery score``  0.2 – 1
           among the dispute's current reports (buyer's and merchant's)
credit     ``CREDIT[tier]`` of the worse-placed party (buyer or merchant):    0.4 – 1
           trusted 0.4, standard 0.6, watch 0.85, restricted 1
amount     ``AMOUNT_FLOOR + (1 - AMOUNT_FLOOR) × log(1 + ¥claimed) /          0.4 – 1
           log(1 + AMOUNT_FULL_YUAN)``, capped at 1 (¥5,000 and above weigh 1)
=========  =================================================================  ==========

A ``reused`` photo counts through its forgery score like any finding: the copy codes keep
their weight in it (``evidence.forensics.aggregate``), so a stranger's photo ranks high while
another merchant's listing photo (``reuse.listing_elsewhere``) barely moves the queue.

The floors keep every factor from zeroing the others: a clean claim from a restricted buyer
for ¥3,000 still outranks a clean ¥20 claim from a trusted one. Logarithmic money because the
difference between ¥10 and ¥100 matters as much to a queue as that between ¥500 and ¥5,000.

The stored ``Dispute.risk_score`` is refreshed when a report is saved, when a dispute opens and
when a party's tier moves (``arbitration.apps``).
"""

import math
from dataclasses import dataclass

from django.db.models import Max, Q

from accounts.models import CreditTier, Party
from evidence import forensics
from evidence.models import ForensicReport

from ..lifecycle import ACTIVE_STATES
from ..models import Dispute

FINDINGS_FLOOR = 0.2
AMOUNT_FLOOR = 0.4
AMOUNT_FULL_YUAN = 5000
CREDIT = {
    CreditTier.TRUSTED: 0.4,
    CreditTier.STANDARD: 0.6,
    CreditTier.WATCH: 0.85,
    CreditTier.RESTRICTED: 1.0,
}


@dataclass(frozen=True)
class Risk:
    findings: float
    credit: float
    amount: float

    @property
    def score(self) -> float:
        return round(self.findings * self.credit * self.amount, 4)


def findings_factor(highest_forgery: float) -> float:
    return FINDINGS_FLOOR + (1 - FINDINGS_FLOOR) * min(1.0, max(0.0, highest_forgery))


def credit_factor(buyer_tier: str, merchant_tier: str) -> float:
    return max(CREDIT.get(buyer_tier, CREDIT[CreditTier.STANDARD]), CREDIT.get(merchant_tier, 0))


def amount_factor(claimed_fen: int) -> float:
    scale = math.log1p(max(claimed_fen, 0) / 100) / math.log1p(AMOUNT_FULL_YUAN)
    return AMOUNT_FLOOR + (1 - AMOUNT_FLOOR) * min(1.0, scale)


def highest_forgery(dispute_id: int) -> float:
    return (
        ForensicReport.objects.filter(
            evidence__dispute_id=dispute_id, analyzer_version=forensics.ANALYZER_VERSION
        ).aggregate(score=Max("forgery_score"))["score"]
        or 0.0
    )


def risk_components(dispute: Dispute) -> Risk:
    """The three factors of a dispute's risk, read fresh."""
    return Risk(
        findings_factor(highest_forgery(dispute.pk)),
        credit_factor(dispute.buyer.credit_tier, dispute.merchant.credit_tier),
        amount_factor(dispute.claimed_amount_fen),
    )


def opening_risk(*, buyer: Party, merchant: Party, claimed_fen: int) -> float:
    """The risk of a dispute being opened: no evidence yet, so no findings (score 0)."""
    credit = credit_factor(buyer.credit_tier, merchant.credit_tier)
    return Risk(findings_factor(0.0), credit, amount_factor(claimed_fen)).score


def dispute_risk(dispute: Dispute) -> float:
    """A dispute's risk in 0..1; see the module docstring for the rule."""
    return risk_components(dispute).score


def risk_explained(dispute: Dispute) -> Risk:
    """The factors behind the stored score without reading reports (for the queue's rows):
    credit and amount from the row, findings as what the stored score leaves."""
    credit = credit_factor(dispute.buyer.credit_tier, dispute.merchant.credit_tier)
    amount = amount_factor(dispute.claimed_amount_fen)
    findings = min(1.0, max(FINDINGS_FLOOR, dispute.risk_score / (credit * amount)))
    return Risk(round(findings, 2), credit, round(amount, 2))


def dispute_risk_refresh(dispute_id: int) -> float:
    """Recompute and store one dispute's risk."""
    dispute = Dispute.objects.select_related("buyer", "merchant").get(pk=dispute_id)
    score = dispute_risk(dispute)
    Dispute.objects.filter(pk=dispute_id).update(risk_score=score)
    return score


def party_disputes_risk_refresh(party: Party) -> int:
    """Recompute the risk of a party's active disputes (its tier has moved)."""
    ids = list(
        Dispute.objects.filter(
            Q(buyer=party) | Q(merchant=party), state__in=ACTIVE_STATES
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        dispute_risk_refresh(pk)
    return len(ids)


def on_credit_tier_changed(sender, *, party: Party, **kwargs) -> None:
    """``accounts.credit.credit_tier_changed`` receiver: the party's disputes re-rank."""
    party_disputes_risk_refresh(party)
