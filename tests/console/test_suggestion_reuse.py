"""The suggestion and reuse: a stranger's photo from another dispute earns no refund, the
buyer's own photo from another dispute is suspicious, a copy of the listing photo counts as
no photo, the merchant's copies weigh nothing; every reason names reuse as reuse."""

import pytest
from django.utils import translation

from arbitration.models import Decision
from evidence import forensics
from evidence.models import Evidence, ForensicReport
from evidence.services import evidence_add
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

from .test_suggestion import buyer_photo, claim, finding, suggest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def copied(item: Evidence, code: str, **data) -> ForensicReport:
    """A current ``reused`` report of ``item`` whose ``code`` signal points at ``data``."""
    report = ForensicReport.objects.create(
        evidence=item,
        analyzer_version=forensics.ANALYZER_VERSION,
        forgery_score=0.765,
        verdict=ForensicReport.Verdict.REUSED,
    )
    report.signals.create(code=code, score=0.85, polarity="forgery", data=data)
    return report


def earlier_claim_photo(party) -> Evidence:
    order = OrderFactory(buyer=party, merchant__platform=party.platform)
    (item,) = evidence_add(order=order, party=party, files=[jpeg_upload()], role="buyer")
    return item


def never_edited(suggestion) -> None:
    assert not any("edited" in line for line in suggestion.reasons), suggestion.reasons


def test_a_strangers_photo_from_another_dispute_earns_no_refund_named_as_reuse(
    buyer, merchant, outsider
):
    dispute = claim(buyer, merchant)
    original = earlier_claim_photo(outsider)
    copied(buyer_photo(dispute), "reuse.cross_dispute", known_id=str(original.pk))
    suggestion = suggest(dispute)
    assert (suggestion.outcome, suggestion.amount_fen) == (Decision.Outcome.NO_REFUND, 0)
    assert suggestion.evidence_class == "reused"
    assert any(
        "copy of evidence another account filed" in line and f"#{original.pk}" in line
        for line in suggestion.reasons
    )
    never_edited(suggestion)


def test_the_buyers_own_photo_from_another_dispute_is_only_suspicious(buyer, merchant):
    dispute = claim(buyer, merchant)
    own = earlier_claim_photo(buyer)
    copied(buyer_photo(dispute), "reuse.cross_dispute", known_id=str(own.pk))
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "suspicious"
    assert (suggestion.outcome, suggestion.share) == (Decision.Outcome.PARTIAL_REFUND, 50)
    assert any("the same buyer filed in another dispute" in line for line in suggestion.reasons)
    never_edited(suggestion)


def test_a_copy_of_the_listing_photo_counts_as_no_photo(buyer, merchant):
    dispute = claim(buyer, merchant)
    copied(buyer_photo(dispute), "reuse.listing_match", reference_id="1")
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "unverified"
    assert suggestion.share == 60  # a standard buyer's unverified share, not fabricated's 0
    assert any("copy of the merchant's listing photo" in line for line in suggestion.reasons)
    never_edited(suggestion)


def test_a_copy_of_another_merchants_listing_photo_counts_as_no_photo(buyer, merchant):
    dispute = claim(buyer, merchant)
    report = finding(buyer_photo(dispute), "no_findings")
    report.signals.create(code="reuse.listing_elsewhere", score=0.85, polarity="forgery")
    suggestion = suggest(dispute)
    assert (suggestion.evidence_class, suggestion.share) == ("unverified", 60)
    assert any("copy of another merchant's listing photo" in line for line in suggestion.reasons)
    never_edited(suggestion)


def test_a_copy_of_the_listing_beside_a_clean_photo_leaves_the_claim_clean(buyer, merchant):
    dispute = claim(buyer, merchant)
    copied(buyer_photo(dispute), "reuse.listing_match", reference_id="1")
    (second,) = evidence_add(
        order=dispute.order, party=buyer, files=[jpeg_upload()], role="buyer", dispute=dispute
    )
    finding(second, "no_findings")
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "clean"
    assert suggestion.outcome == Decision.Outcome.FULL_REFUND


def test_the_merchants_copies_are_named_and_move_nothing(buyer, merchant, outsider):
    dispute = claim(buyer, merchant, reason="not_as_described")
    finding(buyer_photo(dispute), "suspicious")
    before = suggest(dispute)
    (listing,) = evidence_add(
        order=dispute.order, party=merchant, files=[jpeg_upload("listing.jpg")], role="listing"
    )
    report = finding(listing, "no_findings")
    report.signals.create(code="reuse.listing_elsewhere", score=0.85, polarity="forgery")
    (packing,) = evidence_add(
        order=dispute.order, party=merchant, files=[jpeg_upload()], role="merchant", dispute=dispute
    )
    copied(packing, "reuse.cross_dispute", known_id=str(earlier_claim_photo(outsider).pk))
    after = suggest(dispute)
    assert (after.outcome, after.amount_fen, after.share) == (
        before.outcome,
        before.amount_fen,
        before.share,
    )
    assert any("also another merchant's listing photo" in line for line in after.reasons)
    assert any(
        f"photo #{packing.pk} is a copy of a photo already on file" in line
        for line in after.reasons
    )
    never_edited(after)
