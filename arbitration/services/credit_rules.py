"""What a party's credit tier changes in the dispute flow, written once (DESIGN.md §Credit).

=========== ============================================== ============================
tier        the buyer's claim                              the merchant's disputes
=========== ============================================== ============================
trusted     a money-only claim (refund only or partial     normal flow
            refund) of at most ``fast_refund_cap_fen`` is
            refunded at submission (``fast_refund``)
standard    normal flow                                    normal flow
watch       before submission, for a claim about the       review required
            item's condition: three photos of different
            angles (no two near-duplicates), or a video
            analysed without a forgery finding, or a
            photo captured live in the app; review
            required
restricted  the remedy must be a return and refund; every  review required
            step reviewed (review required)
=========== ============================================== ============================

**Review required** (``Dispute.review_required``) means no outcome without an arbitrator:
a silent merchant sends the claim to review instead of deciding it by default
(``deadlines.needs_arbitrator``), and a settlement the parties reach themselves (an offer
accepted, the merchant accepting the claim) goes to ``under_review`` for an arbitrator to
confirm (``lifecycle``: ``accept_offer_for_review``, ``accept_claim_for_review``).

**A video counts once analysed.** A clip is the stronger evidence only when it is what it
claims to be, and AI-generated refund videos are known: a video counts for the watch tier
only when the current analyzer's report on it has no forgery finding (``FORGERY_VERDICTS``).
A claim sent with a video that is still being analysed is refused with that reason; the
buyer saves the claim and sends it once the analysis is done (a minute or two).

A trusted buyer's fast refund is not held back by the merchant's tier: the merchant's review
covers what the merchant agrees to, not what the platform pays a buyer with a record.

The tier is the one cached on the party when the dispute opens, stored in
``Dispute.buyer_tier``: a later change of tier does not rewrite the rules of a running claim.

**Fast refund before analysis.** A trusted buyer's small claim is paid at submission, before
the forensic analysis has run and before the merchant answers: 先行赔付 promises speed to
buyers with a record, and the cap bounds what one abuse can cost. The merchant still sees the
claim, its evidence and the fast refund in the timeline and can report the buyer; a report
upheld or evidence found fabricated later books a credit event that takes the buyer out of
the trusted tier.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CreditTier, Party
from evidence.forensics import fingerprints
from evidence.models import Evidence, ForensicReport
from evidence.selectors import current_reports

from .. import lifecycle
from ..errors import DomainError
from ..models import Dispute
from .common import yuan

Remedy = Dispute.Remedy

WATCH_MIN_ANGLES = 3
# Verdicts that keep a video from counting for the watch tier (the photo's "copy" included).
FORGERY_VERDICTS = {
    ForensicReport.Verdict.AI_GENERATED,
    ForensicReport.Verdict.EDITED,
    ForensicReport.Verdict.REUSED,
}
REVIEW_TIERS = frozenset({CreditTier.WATCH, CreditTier.RESTRICTED})
FAST_REFUND_REMEDIES = frozenset({Remedy.REFUND_ONLY, Remedy.PARTIAL_REFUND})
RESTRICTED_REMEDIES = frozenset({Remedy.RETURN_AND_REFUND})


def allowed_remedies(tier: str) -> list[str]:
    """The remedies a buyer of ``tier`` may ask for, in the model's order."""
    if tier == CreditTier.RESTRICTED:
        return [r for r in Remedy.values if r in RESTRICTED_REMEDIES]
    return list(Remedy.values)


def remedy_check(buyer: Party, remedy: str) -> None:
    if remedy not in allowed_remedies(buyer.credit_tier):
        raise DomainError(
            _(
                "Because of your account's credit standing, you cannot ask for %(remedy)s: "
                "choose a return and refund. The item goes back to the merchant first."
            )
            % {"remedy": Remedy(remedy).label},
            code="remedy_not_allowed",
            field="remedy",
        )


def review_reasons(buyer: Party, merchant: Party) -> list[str]:
    """Why an arbitrator must see this dispute, in words stored on it (empty: no need)."""
    reasons = []
    if buyer.credit_tier in REVIEW_TIERS:
        reasons.append(f"buyer's credit tier is {buyer.credit_tier}")
    if merchant.credit_tier in REVIEW_TIERS:
        reasons.append(f"merchant's credit tier is {merchant.credit_tier}")
    return reasons


def settlement_for_review(
    dispute: Dispute, name: str, *, actor: str, user=None, terms: dict
) -> None:
    """Send what the parties agreed (``terms``) to an arbitrator instead of carrying it out.

    The caller holds the lock; ``name`` is ``accept_offer_for_review`` or
    ``accept_claim_for_review``. The evidence window closes as for any review.
    """
    dispute.evidence_closed_at = timezone.now()
    dispute.save(update_fields=["evidence_closed_at"])
    lifecycle.apply(
        dispute,
        name,
        actor=actor,
        user=user,
        waiting_on=Dispute.Side.ARBITRATOR,
        payload={**terms, "review_reason": dispute.review_reason},
    )


def needs_more_evidence(tier: str, reason: str) -> bool:
    """The watch tier's evidence rule, for claims about the item's condition: a parcel that
    never arrived cannot be photographed from three angles (it still goes to review)."""
    from .disputes import REASONS_NEEDING_EVIDENCE

    return tier == CreditTier.WATCH and reason in REASONS_NEEDING_EVIDENCE


def fast_refund_applies(dispute: Dispute) -> bool:
    """A trusted buyer's money-only claim within the platform's cap."""
    return (
        dispute.buyer_tier == CreditTier.TRUSTED
        and dispute.remedy in FAST_REFUND_REMEDIES
        and dispute.claimed_amount_fen <= dispute.platform.fast_refund_cap_fen
    )


@dataclass(frozen=True)
class EvidenceCount:
    """What a claim's evidence amounts to for the watch-tier rule."""

    angles: int
    videos: int  # analysed without a forgery finding
    live: int
    videos_waiting: int = 0  # not analysed yet: they may count once they are

    @property
    def enough(self) -> bool:
        return self.videos > 0 or self.live > 0 or self.angles >= WATCH_MIN_ANGLES


def distinct_angles(images: list[bytes]) -> int:
    """How many of ``images`` are genuinely different views: an image that is a near-duplicate
    (the engine's fingerprint rule, mirrors and light crops included) of one already counted
    is the same view again."""
    kept: list[fingerprints.Fingerprints] = []
    for data in images:
        fp = fingerprints.of_bytes(data)  # intake has decoded it once already
        if not any(
            fingerprints.compare(fp, seen) or fingerprints.compare(seen, fp) for seen in kept
        ):
            kept.append(fp)
    return len(kept)


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def evidence_count(*, uploads=(), inspected=(), stored=()) -> EvidenceCount:
    """Count new ``uploads`` (with their intake ``inspected`` results) and ``stored`` evidence."""
    images = [
        _read(upload)
        for upload, info in zip(uploads, inspected, strict=True)
        if info.kind == Evidence.Kind.IMAGE
    ]
    waiting = sum(info.kind == Evidence.Kind.VIDEO for info in inspected)
    live = 0
    clips = []
    for item in stored:
        if item.captured_live_at is not None:
            live += 1
        elif item.kind == Evidence.Kind.VIDEO:
            clips.append(item)
        else:
            with item.original.open("rb") as fh:
                images.append(fh.read())
    reports = current_reports(item.pk for item in clips) if clips else {}
    videos = sum(
        reports[item.pk].verdict not in FORGERY_VERDICTS for item in clips if item.pk in reports
    )
    waiting += sum(item.pk not in reports for item in clips)
    return EvidenceCount(
        angles=distinct_angles(images), videos=videos, live=live, videos_waiting=waiting
    )


def watch_evidence_check(count: EvidenceCount) -> None:
    """Refuse a watch-tier claim whose evidence is not enough, saying what is missing."""
    if count.enough:
        return
    if count.videos_waiting:
        raise DomainError(
            _(
                "Your video counts once its analysis has found no sign of forgery, which "
                "takes a minute or two. Save the claim now and send it when the analysis "
                "is done, or add photos from %(needed)d different angles."
            )
            % {"needed": WATCH_MIN_ANGLES},
            code="video_not_analysed",
            field="files",
        )
    missing = WATCH_MIN_ANGLES - count.angles
    raise DomainError(
        _(
            "Your claim needs photos of the item from %(needed)d different angles, a video, "
            "or a photo taken with the in-app camera. Your photos show %(have)d distinct "
            "view(s): add %(missing)d more from other angles, or a video."
        )
        % {"needed": WATCH_MIN_ANGLES, "have": count.angles, "missing": missing},
        code="more_evidence_needed",
        field="files",
    )


def open_notice(buyer: Party, order) -> dict | None:
    """What the buyer is told on the claim form before filling anything in (None: nothing)."""
    tier = buyer.credit_tier
    if tier == CreditTier.TRUSTED:
        cap = order.platform.fast_refund_cap_fen
        return {
            "tier": tier,
            "title": _("Fast refund"),
            "text": _(
                "Your account is in good standing: a claim for a refund of up to %(cap)s "
                "(refund only or a partial refund) is refunded as soon as you send it, "
                "without waiting for the merchant."
            )
            % {"cap": yuan(cap)},
        }
    if tier == CreditTier.WATCH:
        return {
            "tier": tier,
            "title": _("More evidence is needed for this claim"),
            "text": _(
                "Because of earlier disputes on your account, a claim about the item's "
                "condition needs photos of the item from at least 3 different angles, or a "
                "video, or a photo taken with the in-app camera, before it can be sent. A "
                "video counts once its analysis has found no sign of forgery: save the "
                "claim and send it when the analysis is done. An arbitrator reviews every "
                "claim."
            ),
        }
    if tier == CreditTier.RESTRICTED:
        return {
            "tier": tier,
            "title": _("A return is required"),
            "text": _(
                "Because of earlier disputes on your account, you can only ask for a return "
                "and refund: the item goes back to the merchant before any refund. Every step "
                "of the claim is reviewed by an arbitrator."
            ),
        }
    return None
