"""Where credit events come from: each source fires on its cause, once, and not otherwise.

Decisions book at once; what the detection finds is proposed to an arbitrator and books
nothing on its own."""

from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import credit
from accounts.credit_sources import credit_for_analysis
from accounts.models import CreditEvent, CreditProposal
from accounts.proposals import credit_proposal_review
from accounts.services import merchant_report_review
from arbitration import services
from arbitration.errors import DomainError
from arbitration.models import Decision
from evidence import analysis
from evidence.services import evidence_add
from tests.evidence.test_pipeline import product_photo, upload
from tests.factories import OrderFactory, PartyFactory, PlatformFactory
from tests.fixtures.forensic import A1111_PARAMETERS, aigc_json, paint_stain, png

Kind = CreditEvent.Kind
WATERMARKS = Path(__file__).resolve().parents[1] / "fixtures" / "watermarks"


def kinds(party):
    return sorted(party.credit_events.values_list("kind", flat=True))


def claim(buyer, files, *, merchant=None, reason="damaged", remedy="refund_only", order=None):
    order = order or OrderFactory(buyer=buyer, **({"merchant": merchant} if merchant else {}))
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason=reason,
        remedy=remedy,
        description="It arrived broken.",
        files=files,
    )


@pytest.fixture
def review(dispute, buyer):
    services.dispute_escalate(dispute=dispute, party=buyer)
    return dispute


def decide(dispute, user, **fields):
    return services.dispute_decide(dispute=dispute, user=user, reasoning="Seen.", **fields)


# --- decisions ------------------------------------------------------------------------------


def test_an_upheld_claim_credits_the_buyer_and_a_damaged_claim_costs_the_merchant_nothing(
    review, arbitrator, buyer, merchant
):
    decision = decide(review, arbitrator, outcome="full_refund")
    event = buyer.credit_events.get()
    assert (event.kind, event.points, event.source_key) == (
        Kind.CLAIM_UPHELD,
        2,
        f"decision:{decision.pk}",
    )
    assert event.dispute == review and review.reference in event.reason
    assert kinds(merchant) == []


def test_a_denied_claim_costs_the_buyer(review, arbitrator, buyer):
    decide(review, arbitrator, outcome="no_refund")
    buyer.refresh_from_db()
    assert kinds(buyer) == [Kind.CLAIM_DENIED] and buyer.credit_score == 92


def test_a_lost_not_as_described_dispute_costs_the_merchant(buyer, merchant, arbitrator):
    dispute = claim(
        buyer, [upload(product_photo(30))], merchant=merchant, reason="not_as_described"
    )
    services.dispute_escalate(dispute=dispute, party=buyer)
    decide(dispute, arbitrator, outcome="partial_refund", amount_fen=100)
    assert kinds(merchant) == [Kind.NOT_AS_DESCRIBED_LOST]


def test_evidence_the_arbitrator_confirms_fabricated_costs_its_submitter(review, arbitrator, buyer):
    photo = review.evidence.get()
    decision = decide(review, arbitrator, outcome="no_refund", fabricated_evidence_ids=[photo.pk])
    fabricated = buyer.credit_events.get(kind=Kind.EVIDENCE_FABRICATED)
    assert fabricated.evidence == photo and fabricated.points == -40
    assert fabricated.source_key == f"decision:{decision.pk}:evidence:{photo.pk}"
    assert kinds(buyer) == [Kind.CLAIM_DENIED, Kind.EVIDENCE_FABRICATED]


def test_a_finding_alone_never_costs_credit(review, arbitrator, buyer):
    """Without the arbitrator's confirmation a flagged photo books nothing of its own."""
    decide(review, arbitrator, outcome="no_refund")
    assert Kind.EVIDENCE_FABRICATED not in kinds(buyer)


@pytest.mark.parametrize("bad", [["x"], [999999], "other-dispute"])
def test_only_evidence_of_the_dispute_can_be_marked_fabricated(review, arbitrator, outsider, bad):
    if bad == "other-dispute":
        bad = [claim(outsider, [upload(product_photo(31))]).evidence.get().pk]
    with pytest.raises(DomainError) as err:
        decide(review, arbitrator, outcome="no_refund", fabricated_evidence_ids=bad)
    assert err.value.field == "fabricated_evidence"
    review.refresh_from_db()
    assert review.state == "under_review" and not Decision.objects.exists()
    assert not CreditEvent.objects.exists()


def test_an_agreement_costs_nobody(dispute, buyer, merchant):
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)
    decision = services.offer_accept(dispute=dispute, party=buyer)
    assert decision.source == Decision.Source.AGREEMENT
    assert kinds(buyer) == [] and kinds(merchant) == []


# --- merchant reports -----------------------------------------------------------------------


@pytest.mark.parametrize(("upheld", "expected"), [(True, [Kind.REPORT_UPHELD]), (False, [])])
def test_an_upheld_merchant_report_costs_the_buyer(
    dispute, buyer, merchant, arbitrator, upheld, expected
):
    report = services.merchant_report_buyer(
        dispute=dispute, party=merchant, category="refund_abuse", statement="Third time."
    )
    merchant_report_review(report=report, user=arbitrator, upheld=upheld, note="")
    assert kinds(buyer) == expected
    if upheld:
        assert buyer.credit_events.get().source_key == f"report:{report.pk}"


# --- abuse detection from the findings: proposed, never booked ---------------------------------
# (These tests asserted automatic booking before; detected abuse is now a proposal an
# arbitrator confirms: see tests/accounts/test_credit_proposals.py for the review.)


def analysed(dispute):
    item = dispute.evidence.get()
    analysis.analyze_evidence(item.pk)
    return item


def proposed(party):
    return sorted(party.credit_proposals.values_list("kind", flat=True))


def untouched(*parties):
    """Nothing on the ledger and the base score: a proposal weighs nothing."""
    for party in parties:
        party.refresh_from_db()
        assert kinds(party) == [] and party.credit_score == 100, party


def test_the_same_image_from_a_second_account_is_proposed_against_the_later_filer_only(
    buyer, outsider
):
    image = product_photo(40)
    first = analysed(claim(buyer, [upload(image)]))
    second = analysed(claim(outsider, [upload(image)]))
    proposal = outsider.credit_proposals.get()
    assert (proposal.kind, proposal.status, proposal.points) == (Kind.IMAGE_REUSED, "pending", -25)
    assert proposal.evidence == second and proposal.dispute == second.dispute
    assert proposal.basis == {
        "evidence": [second.pk, first.pk],
        "disputes": sorted([first.dispute_id, second.dispute_id]),
    }
    assert proposed(buyer) == []  # the first filer: anyone could have copied a public review
    untouched(buyer, outsider)
    # analysing again (a redelivered task, a re-analysis) proposes nothing new
    second.reports.all().delete()
    analysis.analyze_evidence(second.pk)
    first.reports.all().delete()
    analysis.analyze_evidence(first.pk)
    assert CreditProposal.objects.count() == 1
    assert proposed(buyer) == []


def test_the_first_filer_is_untouched_whichever_copy_is_analysed_first(buyer, outsider):
    """The later copy may be analysed before the original (a slow worker, a re-analysis):
    the original's analysis then finds the copy, and still only the later filer is named."""
    image = product_photo(45)
    original = claim(buyer, [upload(image)]).evidence.get()
    copy = claim(outsider, [upload(image)]).evidence.get()
    analysis.analyze_evidence(copy.pk)
    analysis.analyze_evidence(original.pk)
    assert proposed(buyer) == [] and proposed(outsider) == [Kind.IMAGE_REUSED]


def test_one_buyer_reusing_their_own_photo_is_not_image_reuse(buyer):
    image = product_photo(41)
    analysed(claim(buyer, [upload(image)]))
    analysed(claim(buyer, [upload(image)]))
    assert proposed(buyer) == []


def test_a_ring_of_three_accounts_reusing_one_image_names_the_two_later_filers_once(
    platform, buyer, outsider
):
    third = PartyFactory(platform=platform)
    image = product_photo(42)
    first = None
    for party in (buyer, outsider, third):
        item = analysed(claim(party, [upload(image)]))
        first = first or item
    proposals = CreditProposal.objects.filter(kind=Kind.IMAGE_REUSED)
    assert sorted(p.party_id for p in proposals) == sorted([outsider.pk, third.pk])
    assert {p.source_key for p in proposals} == {f"image_reused:{first.pk}"}
    untouched(buyer, outsider, third)


def test_a_copy_matched_with_another_copy_still_names_the_first_filing(platform, buyer, outsider):
    """C matched B (a copy of A) rather than A itself: the reuse chain is followed back, so
    C's filer is proposed for the same cluster as B's, and A's filer is still untouched."""
    third = PartyFactory(platform=platform)
    image = product_photo(48)
    original = analysed(claim(buyer, [upload(image)]))
    copy = analysed(claim(outsider, [upload(_resaved(image))]))
    later = claim(third, [upload(_resaved(_resaved(image), quality=60))]).evidence.get()
    analysis.analyze_evidence(later.pk)
    report = later.reports.get()
    report.signals.filter(code="reuse.cross_dispute").update(data={"known_id": str(copy.pk)})
    third.credit_proposals.all().delete()
    credit_for_analysis(later, report)
    assert third.credit_proposals.get().source_key == f"image_reused:{original.pk}"
    assert outsider.credit_proposals.get().source_key == f"image_reused:{original.pk}"
    assert proposed(buyer) == []


def _listing(order, merchant, data, name="listing.jpg", mime="image/jpeg"):
    evidence_add(
        order=order,
        party=merchant,
        files=[SimpleUploadedFile(name, data, content_type=mime)],
        role="listing",
    )
    item = order.evidence.get(role="listing")
    analysis.analyze_evidence(item.pk)
    return item


def _stained(data: bytes) -> bytes:
    import io

    from PIL import Image

    arr = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    buf = io.BytesIO()
    Image.fromarray(paint_stain(arr)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_the_same_listing_photo_damaged_in_two_disputes_is_proposed_against_the_buyers(
    buyer, outsider, merchant
):
    photo = product_photo(43)
    orders = [OrderFactory(buyer=b, merchant=merchant) for b in (buyer, outsider)]
    listings = [_listing(order, merchant, photo) for order in orders]
    first = analysed(claim(buyer, [upload(_stained(photo))], order=orders[0]))
    assert first.reports.get().signals.filter(code="reuse.local_edit").exists()
    assert proposed(buyer) == []  # one dispute: not a pattern

    second = analysed(claim(outsider, [upload(_stained(photo))], order=orders[1]))
    for party in (buyer, outsider):
        assert Kind.LISTING_DAMAGED_REPEATEDLY in proposed(party)
    proposal = outsider.credit_proposals.get(kind=Kind.LISTING_DAMAGED_REPEATEDLY)
    assert proposal.basis["evidence"][1:] == [first.pk, second.pk]
    assert proposal.basis["evidence"][0] in {item.pk for item in listings}
    untouched(buyer, outsider)


def test_a_listing_photo_that_declares_ai_generation_is_proposed_against_the_merchant_once(
    buyer, outsider, merchant
):
    rng = np.random.default_rng(5)
    arr = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    generated = png(arr, text={"parameters": A1111_PARAMETERS})
    for b in (buyer, outsider):  # the same photo listed on two orders
        item = _listing(
            OrderFactory(buyer=b, merchant=merchant), merchant, generated, "l.png", "image/png"
        )
    proposal = merchant.credit_proposals.get()
    assert proposal.kind == Kind.LISTING_AI and "generator_metadata" in proposal.reason
    assert proposal.basis["evidence"][0] in {item.pk, proposal.evidence_id}
    untouched(merchant)


def test_a_listing_photo_with_a_generators_invisible_watermark_is_proposed(order, merchant):
    """AI provenance is one definition (the engine's): a watermark SDXL embeds counts."""
    marked = (WATERMARKS / "sdxl.png").read_bytes()
    item = _listing(order, merchant, marked, "l.png", "image/png")
    assert item.reports.get().signals.filter(code="provenance.invisible_watermark").exists()
    assert proposed(merchant) == [Kind.LISTING_AI]
    untouched(merchant)


@pytest.mark.parametrize(("label", "flagged"), [(1, True), (2, False), (3, False)])
def test_an_aigc_label_is_proposed_only_when_it_says_generated(order, merchant, label, flagged):
    """Label 1 is "generated by AI"; 2 and 3 ("possibly", "suspected") are the arbitrator's."""
    arr = np.random.default_rng(label).integers(0, 255, (96, 128, 3), dtype=np.uint8)
    labelled = png(arr, text={"AIGC": aigc_json(label, producer="shop-filter")})
    item = _listing(order, merchant, labelled, "l.png", "image/png")
    assert item.reports.get().signals.filter(code="provenance.aigc_label").exists()
    assert proposed(merchant) == ([Kind.LISTING_AI] if flagged else [])
    untouched(merchant)


def test_a_plain_listing_photo_is_not_proposed(order, merchant):
    _listing(order, merchant, product_photo(44))
    assert proposed(merchant) == []


# --- across platforms: only where both opted in -----------------------------------------------


@pytest.fixture
def elsewhere(db):
    """A buyer on another platform (each platform opts in, or not, per test)."""
    other = PlatformFactory(name="Other Mall", slug="other-mall")
    return PartyFactory(platform=other, kind="buyer", display_name="Wang Wu")


def _share(*platforms, on=True):
    for p in platforms:
        p.cross_platform_matches = on
        p.save(update_fields=["cross_platform_matches"])


@pytest.mark.parametrize("opted_in", ["neither", "only this one", "only the other"])
def test_a_copy_on_another_platform_counts_for_nothing_unless_both_opted_in(
    platform, buyer, elsewhere, opted_in
):
    assert platform.cross_platform_matches is False  # off by default
    if opted_in == "only this one":
        _share(platform)
    elif opted_in == "only the other":
        _share(elsewhere.platform)
    image = product_photo(46)
    original = analysed(claim(buyer, [upload(image)]))
    copy = analysed(claim(elsewhere, [upload(_resaved(image))]))
    exact = analysed(claim(elsewhere, [upload(image)]))
    for item in (copy, exact):
        matched = item.reports.get().signals.filter(code="reuse.cross_dispute")
        assert str(original.pk) not in {s.data["known_id"] for s in matched}
    assert CreditProposal.objects.count() == 0
    untouched(buyer, elsewhere)


def test_a_copy_on_another_platform_is_matched_and_proposed_when_both_opted_in(
    platform, buyer, elsewhere
):
    _share(platform, elsewhere.platform)
    image = product_photo(47)
    original = analysed(claim(buyer, [upload(image)]))
    copy = analysed(claim(elsewhere, [upload(_resaved(image))]))
    signal = copy.reports.get().signals.get(code="reuse.cross_dispute")
    assert signal.data["known_id"] == str(original.pk)
    assert proposed(elsewhere) == [Kind.IMAGE_REUSED] and proposed(buyer) == []
    untouched(buyer, elsewhere)


def _resaved(data: bytes, quality=75) -> bytes:
    """The same photo re-encoded (another file, the same picture): a near-duplicate."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


# --- refund-only velocity -------------------------------------------------------------------


def test_refund_only_velocity_is_proposed_once_per_window(buyer, settings):
    settings.CREDIT_VELOCITY_CLAIMS = 3
    settings.CREDIT_VELOCITY_DAYS = 30
    first = claim(buyer, [upload(product_photo(50))])
    claim(buyer, [upload(product_photo(51))], remedy="return_and_refund")
    second = claim(buyer, [upload(product_photo(52))])
    assert proposed(buyer) == []
    third = claim(buyer, [upload(product_photo(53))])
    proposal = buyer.credit_proposals.get()
    assert (proposal.kind, proposal.dispute) == (Kind.REFUND_ONLY_VELOCITY, third)
    assert proposal.basis["disputes"] == [first.pk, second.pk, third.pk]
    claim(buyer, [upload(product_photo(54))])
    assert proposed(buyer) == [Kind.REFUND_ONLY_VELOCITY]
    untouched(buyer)


def test_a_dismissed_velocity_proposal_is_not_raised_again_in_the_same_window(
    buyer, arbitrator, settings
):
    settings.CREDIT_VELOCITY_CLAIMS = 2
    settings.CREDIT_VELOCITY_DAYS = 30
    claim(buyer, [upload(product_photo(55))])
    claim(buyer, [upload(product_photo(56))])
    credit_proposal_review(
        proposal=buyer.credit_proposals.get(), user=arbitrator, confirm=False, note="Bad seller."
    )
    claim(buyer, [upload(product_photo(57))])
    assert buyer.credit_proposals.count() == 1
    untouched(buyer)


def test_each_reader_sees_the_reason_in_their_own_language(dispute, buyer, merchant, arbitrator):
    from django.utils import translation

    report = services.merchant_report_buyer(
        dispute=dispute, party=merchant, category="refund_abuse", statement="Third time."
    )
    with translation.override("zh-hans"):
        merchant_report_review(report=report, user=arbitrator, upheld=True, note="")
    event = buyer.credit_events.get()
    with translation.override("en"):
        assert event.reason_text == (
            f"Dispute {dispute.reference}: a merchant's report of you was upheld "
            "(repeated refund-only abuse)."
        )
    plain, _ = credit.credit_event_record(
        party=buyer, kind=Kind.ADJUSTMENT, points=1, reason="手动调整", source_key="adj:1"
    )
    assert plain.reason_text == "手动调整"
