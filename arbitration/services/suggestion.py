"""The console's suggested outcome: one rule, read from the findings, both credits and the money.

The arbitrator decides; this only proposes, with its reasons in plain language, and the
decision records how far the arbitrator moved from it.

**1. The buyer's evidence** is classed by its worst image (current analyzer's reports), the
first row that applies:

===============  ================================================================
class            when
===============  ================================================================
fabricated       any buyer photo is ``ai_generated`` or ``edited``, captured live or not
reused           any buyer photo is ``reused`` from another account's evidence in another
                 dispute: a stranger's photo, not one of this order
suspicious       some photo not captured live is ``suspicious``, or ``reused`` from the
                 buyer's own evidence in another dispute (one photo of two parcels is
                 possible)
suspicious_live  the only ``suspicious`` photos were captured live in the app
clean            a photo captured live (not yet analysed or ``no_findings``), or every
                 analysed photo ``no_findings``
unverified       nothing analysed yet (no photos, videos only, analysis pending)
===============  ================================================================

A buyer photo ``reused`` from the merchant's listing photo, or a copy of another merchant's
listing photo (``reuse.listing_elsewhere``, which alone leaves the verdict clean), shows a
listing, not the goods delivered: it counts as no photo at all, neither against the buyer nor
for them. The reasons always name reuse as reuse ("a copy of ..."), never as an edit.

A live capture lowers suspicion and never removes a forgery finding: the page's checks
cannot rule out a modified browser or a screen photographed again
(``services/capture.py``), so its findings stay in the reasons and in the class.

**2. The share of the claim** the buyer's evidence and credit tier earn (percent);
``suspicious_live`` lies halfway between ``suspicious`` and ``clean``:

===============  =======  ========  =====  ==========
evidence         trusted  standard  watch  restricted
===============  =======  ========  =====  ==========
clean            100      100       100    80
suspicious_live  80       75        65     40
unverified       80       60        40     20
suspicious       60       50        30     0
reused           0        0         0      0
fabricated       0        0         0      0
===============  =======  ========  =====  ==========

**3. The merchant's side** moves a share that is not 0 (a buyer who fabricated gets nothing,
whatever the merchant did): an AI-made or edited listing photo or counter-evidence adds
``MERCHANT_FABRICATED`` points, and makes a "not as described" claim (货不对版) 100; a merchant
in watch or restricted adds ``MERCHANT_LOW_CREDIT``. The share is capped at 100. A merchant's
photo that is a copy (``reused``, or a listing photo another merchant lists too) is named in
the reasons and moves nothing: a copied photo proves nothing either way, and the merchant's
evidence never lowers the share.

**4. Money.** The basis is the claim, never more than what was paid. Share 0 is no refund;
100 gives what was asked (a replacement when the buyer asked for one; a return and refund when
the buyer asked for one or is restricted, who may not keep the goods; otherwise the claim, a
full refund when it is the whole price); anything between is a partial refund of share × claim,
rounded to whole yuan, always more than zero and less than both the claim and the price paid.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import CreditTier
from evidence.models import Evidence, ForensicReport
from evidence.selectors import current_reports

from ..models import Decision, Dispute
from .common import yuan

Outcome = Decision.Outcome
Verdict = ForensicReport.Verdict

FABRICATED, REUSED, CLEAN, SUSPICIOUS, UNVERIFIED = (
    "fabricated",
    "reused",
    "clean",
    "suspicious",
    "unverified",
)
SUSPICIOUS_LIVE = "suspicious_live"
TIERS = (CreditTier.TRUSTED, CreditTier.STANDARD, CreditTier.WATCH, CreditTier.RESTRICTED)
SHARE = {
    CLEAN: dict(zip(TIERS, (100, 100, 100, 80), strict=True)),
    SUSPICIOUS_LIVE: dict(zip(TIERS, (80, 75, 65, 40), strict=True)),
    UNVERIFIED: dict(zip(TIERS, (80, 60, 40, 20), strict=True)),
    SUSPICIOUS: dict(zip(TIERS, (60, 50, 30, 0), strict=True)),
    REUSED: dict(zip(TIERS, (0, 0, 0, 0), strict=True)),
    FABRICATED: dict(zip(TIERS, (0, 0, 0, 0), strict=True)),
}
MERCHANT_FABRICATED = 30
MERCHANT_LOW_CREDIT = 10
FABRICATED_VERDICTS = (Verdict.AI_GENERATED, Verdict.EDITED)
CROSS_DISPUTE, LISTING_ELSEWHERE = "reuse.cross_dispute", "reuse.listing_elsewhere"
LISTING_COPY = "listing_copy"  # a buyer photo that is the listing photo: counts as no photo
LOW_TIERS = (CreditTier.WATCH, CreditTier.RESTRICTED)


@dataclass(frozen=True)
class Suggestion:
    """What the console proposes: ``amount_fen`` is the refund the outcome pays."""

    outcome: str
    amount_fen: int
    share: int
    evidence_class: str
    reasons: list[str] = field(default_factory=list)

    @property
    def amount_display(self) -> str:
        return yuan(self.amount_fen)

    @property
    def outcome_display(self) -> str:
        return str(Outcome(self.outcome).label)

    def as_json(self) -> dict:
        return {
            "outcome": self.outcome,
            "amount_fen": self.amount_fen,
            "share": self.share,
            "evidence_class": self.evidence_class,
            "reasons": list(self.reasons),
        }

    def form_initial(self) -> dict:
        """The decide form's starting values (amount in yuan, only for a partial refund)."""
        initial = {"outcome": self.outcome}
        if self.outcome == Outcome.PARTIAL_REFUND:
            initial["amount"] = f"{self.amount_fen // 100}.{self.amount_fen % 100:02d}"
        return initial

    def difference(self, decision: Decision) -> dict:
        """How the decision differs from this suggestion (positive delta: paid more)."""
        return {
            "outcome_changed": decision.outcome != self.outcome,
            "amount_delta_fen": decision.amount_fen - self.amount_fen,
        }


def _copied_from(report: ForensicReport, code: str) -> int | None:
    """The evidence id a report's ``code`` signal points to (``known_id``), if any."""
    signal = next((s for s in report.signals.all() if s.code == code), None)
    known = str((signal.data or {}).get("known_id", "")) if signal else ""
    return int(known) if known.isdigit() else None


def _submitters(items: list[Evidence], reports: dict) -> dict[int, int]:
    """Who filed the evidence the buyer's reused photos are copies of: one read, only when
    some photo is such a copy."""
    known = {
        pk
        for item in items
        if (report := reports.get(item.pk)) is not None and report.verdict == Verdict.REUSED
        if (pk := _copied_from(report, CROSS_DISPUTE)) is not None
    }
    if not known:
        return {}
    return dict(Evidence.objects.filter(pk__in=known).values_list("pk", "submitted_by_id"))


def _reuse_class(item: Evidence, report: ForensicReport, submitters: dict) -> tuple[str, str]:
    """(class, reason) of a buyer photo the engine found ``reused`` (see the module doc)."""
    known = _copied_from(report, CROSS_DISPUTE)
    if known is None:
        reason = _(
            "Buyer's photo #%(id)s is a copy of the merchant's listing photo: it shows the "
            "listing, not the goods delivered."
        )
        return LISTING_COPY, reason % {"id": item.pk}
    values = {"id": item.pk, "known": known}
    if submitters.get(known, item.submitted_by_id) == item.submitted_by_id:
        reason = _(
            "Buyer's photo #%(id)s is a copy of a photo the same buyer filed in another "
            "dispute (evidence #%(known)s)."
        )
        return SUSPICIOUS, reason % values
    reason = _(
        "Buyer's photo #%(id)s is a copy of evidence another account filed in another "
        "dispute (evidence #%(known)s), not a photo of this order."
    )
    return REUSED, reason % values


def _classify_buyer(items: list[Evidence], reports: dict) -> tuple[str, list[str]]:
    reasons, classes = [], set()
    submitters = _submitters(items, reports)
    for item in items:
        report = reports.get(item.pk)
        live = item.captured_live_at is not None
        verdict = report.verdict if report is not None else None
        if verdict == Verdict.REUSED:
            kind, reason = _reuse_class(item, report, submitters)
            classes.add(kind)
            reasons.append(reason)
        elif verdict in FABRICATED_VERDICTS:
            classes.add(FABRICATED)
            text = (
                _(
                    "Buyer's photo #%(id)s: %(verdict)s (forgery score %(score)d/100), although "
                    "it was captured live in the app."
                )
                if live
                else _("Buyer's photo #%(id)s: %(verdict)s (forgery score %(score)d/100).")
            )
            reasons.append(
                text
                % {
                    "id": item.pk,
                    "verdict": report.get_verdict_display(),
                    "score": round(report.forgery_score * 100),
                }
            )
        elif report is not None and any(s.code == LISTING_ELSEWHERE for s in report.signals.all()):
            classes.add(LISTING_COPY)
            reasons.append(
                _(
                    "Buyer's photo #%(id)s is a copy of another merchant's listing photo: it "
                    "shows a listing, not the goods delivered."
                )
                % {"id": item.pk}
            )
        elif verdict == Verdict.SUSPICIOUS:
            classes.add(SUSPICIOUS_LIVE if live else SUSPICIOUS)
            text = (
                _(
                    "Buyer's photo #%(id)s is suspicious (forgery score %(score)d/100), although "
                    "it was captured live in the app after delivery."
                )
                if live
                else _("Buyer's photo #%(id)s is suspicious (forgery score %(score)d/100).")
            )
            reasons.append(text % {"id": item.pk, "score": round(report.forgery_score * 100)})
        elif live:
            classes.add(CLEAN)
            reasons.append(
                _("Buyer's photo #%(id)s was captured live in the app after delivery.")
                % {"id": item.pk}
            )
        elif report is not None:
            classes.add(CLEAN)
    for evidence_class in (FABRICATED, REUSED, SUSPICIOUS, SUSPICIOUS_LIVE):
        if evidence_class in classes:
            return evidence_class, reasons
    if CLEAN in classes and any(item.captured_live_at for item in items):
        return CLEAN, reasons
    if CLEAN in classes:
        return CLEAN, [*reasons, _("The forensic analysis found nothing in the buyer's photos.")]
    if LISTING_COPY in classes:
        return UNVERIFIED, [*reasons, _("No analysed photo of the buyer's shows the goods.")]
    return UNVERIFIED, [*reasons, _("None of the buyer's photos has been analysed yet.")]


def _merchant_fabricated(items: list[Evidence], reports: dict) -> list[str]:
    reasons = []
    for item in items:
        report = reports.get(item.pk)
        if report is None or report.verdict not in FABRICATED_VERDICTS:
            continue
        if item.role == Evidence.Role.LISTING:
            text = _("The merchant's listing photo #%(id)s is %(verdict)s.")
        else:
            text = _("The merchant's photo #%(id)s is %(verdict)s.")
        reasons.append(text % {"id": item.pk, "verdict": report.get_verdict_display()})
    return reasons


def _merchant_copies(items: list[Evidence], reports: dict) -> list[str]:
    """The merchant's photos that are copies: named for the arbitrator, weighing nothing."""
    reasons = []
    for item in items:
        report = reports.get(item.pk)
        if report is None:
            continue
        if report.verdict == Verdict.REUSED:
            text = _("The merchant's photo #%(id)s is a copy of a photo already on file.")
        elif any(s.code == LISTING_ELSEWHERE for s in report.signals.all()):
            text = _(
                "The merchant's listing photo #%(id)s is also another merchant's listing photo."
            )
        else:
            continue
        reasons.append(text % {"id": item.pk})
    return reasons


def _tier_line(who: str, party) -> str:
    return _("%(who)s's credit: %(tier)s (score %(score)d).") % {
        "who": who,
        "tier": party.get_credit_tier_display(),
        "score": party.credit_score,
    }


def _partial_amount(share: int, basis: int, paid: int) -> int:
    """share % of ``basis`` in whole yuan, kept strictly between 0 and both limits."""
    if share >= 100:
        return basis
    exact = basis * share // 100
    rounded = (exact + 50) // 100 * 100
    ceiling = min(basis - 1, paid - 1)
    if 0 < rounded <= ceiling:
        return rounded
    return max(min(exact, ceiling), 1)


def suggest_outcome(dispute: Dispute, *, evidence=None, reports=None) -> Suggestion:
    """Propose an outcome and amount for ``dispute``; see the module docstring for the rule.

    A page that has already read the dispute's evidence and listing photos (and their current
    reports) passes them in, so the suggestion costs it no query.
    """
    order, buyer, merchant = dispute.order, dispute.buyer, dispute.merchant
    if evidence is None:
        listing = Q(order=order, dispute__isnull=True, role=Evidence.Role.LISTING)
        evidence = list(Evidence.objects.filter(listing | Q(dispute=dispute)))
    images = [item for item in evidence if item.kind == Evidence.Kind.IMAGE]
    if reports is None:
        reports = current_reports(item.pk for item in images)
    buyer_items = [item for item in images if item.role == Evidence.Role.BUYER]
    merchant_items = [item for item in images if item.role != Evidence.Role.BUYER]
    evidence_class, reasons = _classify_buyer(buyer_items, reports)
    reasons.append(_tier_line(_("Buyer"), buyer))
    share = SHARE[evidence_class][buyer.credit_tier]
    merchant_reasons = _merchant_fabricated(merchant_items, reports)
    reasons += merchant_reasons + _merchant_copies(merchant_items, reports)
    if merchant.credit_tier in LOW_TIERS:
        reasons.append(_tier_line(_("Merchant"), merchant))
    if share > 0:
        if merchant_reasons and dispute.reason == Dispute.Reason.NOT_AS_DESCRIBED:
            share = 100
        elif merchant_reasons:
            share += MERCHANT_FABRICATED
        if merchant.credit_tier in LOW_TIERS:
            share += MERCHANT_LOW_CREDIT
        share = min(share, 100)
    paid = order.amount_fen
    basis = min(dispute.claimed_amount_fen, paid)
    if share == 0:
        outcome, amount = Outcome.NO_REFUND, 0
    elif share == 100 and dispute.remedy == Dispute.Remedy.REPLACEMENT:
        outcome, amount = Outcome.REPLACEMENT, 0
    elif share == 100 and (
        dispute.remedy == Dispute.Remedy.RETURN_AND_REFUND
        or (buyer.credit_tier == CreditTier.RESTRICTED and basis == paid)
    ):
        outcome, amount = Outcome.RETURN_AND_REFUND, paid
    elif share == 100 and basis == paid:
        outcome, amount = Outcome.FULL_REFUND, paid
    else:
        outcome, amount = Outcome.PARTIAL_REFUND, _partial_amount(share, basis, paid)
    if outcome == Outcome.REPLACEMENT:
        reasons.append(_("The buyer asked for a replacement and the whole claim stands."))
    else:
        reasons.append(
            _("%(share)d%% of the %(claimed)s claimed (order paid %(paid)s): %(amount)s.")
            % {"share": share, "claimed": yuan(basis), "paid": yuan(paid), "amount": yuan(amount)}
        )
    return Suggestion(outcome, amount, share, evidence_class, reasons)


def suggestion_record(*, decision: Decision, suggestion: Suggestion) -> Decision:
    """Keep beside a decision what was suggested, why, and how the arbitrator departed."""
    decision.suggested_outcome = suggestion.outcome
    decision.suggested_amount_fen = suggestion.amount_fen
    decision.suggestion = {**suggestion.as_json(), "difference": suggestion.difference(decision)}
    decision.save(update_fields=["suggested_outcome", "suggested_amount_fen", "suggestion"])
    return decision


def suggestion_recorded(decision: Decision | None) -> dict:
    """The stored suggestion's amounts for display: what it was and how far the decision moved."""
    if decision is None or decision.suggested_amount_fen is None:
        return {"suggested_amount": "", "amount_delta": ""}
    delta = int((decision.suggestion or {}).get("difference", {}).get("amount_delta_fen") or 0)
    sign = "+" if delta > 0 else "−"
    return {
        "suggested_amount": yuan(decision.suggested_amount_fen),
        "amount_delta": f"{sign}{yuan(abs(delta))}" if delta else "",
    }
