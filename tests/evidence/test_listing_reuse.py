"""Listing photos in their context: every order of a product shares its listing photos, so
the merchant's own listing photo on several orders is not reuse; in a buyer's claim it is a
copy of the listing; under another merchant it is told to the arbitrator, never ``edited``;
and a photo copied from another dispute is ``reused``, in words both languages read plainly."""

import pytest
from django.utils import translation

from accounts.models import Party
from arbitration import services
from evidence import analysis
from evidence.explain import party_summary
from evidence.models import ForensicReport
from evidence.selectors import current_reports
from evidence.services import evidence_add
from tests.evidence.test_pipeline import cropped, product_photo, upload
from tests.factories import OrderFactory, PartyFactory

REUSE = {"reuse.cross_dispute", "reuse.listing_match", "reuse.listing_elsewhere"}


def listed(order, data: bytes):
    (item,) = evidence_add(order=order, party=order.merchant, files=[upload(data)], role="listing")
    return item


def claimed(order, data: bytes):
    dispute = services.dispute_open(
        order=order,
        buyer=order.buyer,
        reason="damaged",
        remedy="refund_only",
        description="cracked",
        files=[upload(data)],
    )
    return dispute, dispute.evidence.get()


def codes(report: ForensicReport) -> set[str]:
    return set(report.signals.values_list("code", flat=True))


@pytest.fixture
def other_merchant(platform):
    return PartyFactory(platform=platform, kind=Party.Kind.MERCHANT, display_name="Copy Shop")


def test_the_merchants_listing_photo_on_a_second_order_is_not_reuse(buyer, outsider, merchant):
    photo = product_photo(seed=31)
    analysis.analyze_evidence(listed(OrderFactory(buyer=buyer, merchant=merchant), photo).pk)
    second = listed(OrderFactory(buyer=outsider, merchant=merchant), photo)
    report = analysis.analyze_evidence(second.pk)
    assert not codes(report) & REUSE
    assert report.verdict not in {"edited", "reused"}


def test_the_merchants_own_listing_photo_filed_as_counter_evidence_is_not_reuse(
    buyer, outsider, merchant
):
    photo = product_photo(seed=32)
    analysis.analyze_evidence(listed(OrderFactory(buyer=outsider, merchant=merchant), photo).pk)
    order = OrderFactory(buyer=buyer, merchant=merchant)
    analysis.analyze_evidence(listed(order, photo).pk)
    dispute, _claim = claimed(order, product_photo(seed=33))
    (counter,) = evidence_add(
        order=order, party=merchant, files=[upload(photo)], role="merchant", dispute=dispute
    )
    report = analysis.analyze_evidence(counter.pk)
    assert not codes(report) & (REUSE | {"reuse.local_edit"})


def test_a_listing_photo_a_buyer_filed_before_it_was_listed_again_is_still_the_merchants(
    buyer, outsider, merchant
):
    """A buyer's earlier claim with the listing photo in it is a copy of the listing: when
    the merchant lists the photo on another order, that is not reuse of the claim."""
    photo = product_photo(seed=39)
    analysis.analyze_evidence(listed(OrderFactory(buyer=outsider, merchant=merchant), photo).pk)
    _dispute, claim = claimed(OrderFactory(buyer=outsider, merchant=merchant), photo)
    analysis.analyze_evidence(claim.pk)
    order = OrderFactory(buyer=buyer, merchant=merchant)
    report = analysis.analyze_evidence(listed(order, photo).pk)
    assert not codes(report) & REUSE
    dispute, _claim = claimed(order, product_photo(seed=40))
    (counter,) = evidence_add(
        order=order, party=merchant, files=[upload(photo)], role="merchant", dispute=dispute
    )
    assert not codes(analysis.analyze_evidence(counter.pk)) & REUSE


def test_a_buyer_filing_another_merchants_listing_photo_is_told(
    buyer, outsider, merchant, other_merchant
):
    photo = product_photo(seed=41)
    stock = listed(OrderFactory(buyer=outsider, merchant=other_merchant), photo)
    analysis.analyze_evidence(stock.pk)
    _dispute, claim = claimed(OrderFactory(buyer=buyer, merchant=merchant), cropped(photo, 0.05))
    report = analysis.analyze_evidence(claim.pk)
    assert codes(report) & REUSE == {"reuse.listing_elsewhere"}
    assert report.signals.get(code="reuse.listing_elsewhere").data["known_id"] == str(stock.pk)
    assert report.verdict not in {"edited", "reused", "ai_generated"}


def test_a_buyer_filing_the_listing_photo_of_another_order_copies_the_listing(
    buyer, outsider, merchant
):
    """Not "evidence from another dispute": the listing photo explains the copy, even when
    another buyer filed the same listing photo before."""
    photo = product_photo(seed=34)
    original = listed(OrderFactory(buyer=outsider, merchant=merchant), photo)
    analysis.analyze_evidence(original.pk)
    _dispute, earlier = claimed(OrderFactory(buyer=outsider, merchant=merchant), photo)
    analysis.analyze_evidence(earlier.pk)
    _dispute, claim = claimed(OrderFactory(buyer=buyer, merchant=merchant), cropped(photo, 0.05))
    report = analysis.analyze_evidence(claim.pk)
    assert codes(report) & REUSE == {"reuse.listing_match"}
    assert report.signals.get(code="reuse.listing_match").data["reference_id"] == str(original.pk)
    assert report.verdict == ForensicReport.Verdict.REUSED


def test_the_same_listing_photo_under_another_merchant_is_told_and_not_edited(
    buyer, outsider, merchant, other_merchant
):
    photo = product_photo(seed=35)
    first = listed(OrderFactory(buyer=buyer, merchant=merchant), photo)
    analysis.analyze_evidence(first.pk)
    stolen = listed(OrderFactory(buyer=outsider, merchant=other_merchant), cropped(photo, 0.04))
    report = analysis.analyze_evidence(stolen.pk)
    elsewhere = report.signals.get(code="reuse.listing_elsewhere")
    assert elsewhere.data["known_id"] == str(first.pk)
    assert codes(report) & REUSE == {"reuse.listing_elsewhere"}
    assert report.verdict not in {"edited", "reused", "ai_generated"}


def test_a_photo_copied_from_another_dispute_is_reused_in_plain_words(buyer, outsider):
    photo = product_photo(seed=36)
    _dispute, first = claimed(OrderFactory(buyer=outsider), photo)
    analysis.analyze_evidence(first.pk)
    _dispute, copy = claimed(OrderFactory(buyer=buyer), cropped(photo, 0.06))
    report = analysis.analyze_evidence(copy.pk)
    assert report.verdict == ForensicReport.Verdict.REUSED
    assert report.signals.get(code="reuse.cross_dispute").data["known_id"] == str(first.pk)
    stored = current_reports([copy.pk])[copy.pk]
    with translation.override("en"):
        summary = party_summary(stored)
    assert summary["code"] == "reused"
    assert summary["verdict"] == (
        "This photo is a copy of a photo already on file. That does not mean it was edited."
    )
    assert "already submitted in another dispute" in " ".join(summary["reasons"])
    with translation.override("zh-hans"):
        summary = party_summary(stored)
        label = str(ForensicReport.Verdict.REUSED.label)
    assert summary["verdict"] == "这张照片与系统中已存的一张照片相同。这并不表示它被编辑过。"
    assert "同一张照片已在另一起纠纷中提交过。" in summary["reasons"]
    assert label == "已存照片的副本"


def test_the_first_filer_is_not_a_copy_of_a_later_copy(buyer, outsider):
    """Re-analysis (a new analyzer version) looks at every stored file again: the earlier
    of two copies must not point to the later one."""
    photo = product_photo(seed=37)
    _dispute, first = claimed(OrderFactory(buyer=outsider), photo)
    analysis.analyze_evidence(first.pk)
    _dispute, copy = claimed(OrderFactory(buyer=buyer), cropped(photo, 0.06))
    analysis.analyze_evidence(copy.pk)
    first.reports.all().delete()
    again = analysis.analyze_evidence(first.pk)
    assert not codes(again) & REUSE
    assert again.verdict != ForensicReport.Verdict.REUSED
