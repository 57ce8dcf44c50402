"""Where credit events come from: each source fires on its cause, once, and not otherwise."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import credit
from accounts.models import CreditEvent
from accounts.services import merchant_report_review
from arbitration import services
from arbitration.errors import DomainError
from arbitration.models import Decision
from evidence import analysis
from evidence.services import evidence_add
from tests.evidence.test_pipeline import product_photo, upload
from tests.factories import OrderFactory, PartyFactory
from tests.fixtures.forensic import A1111_PARAMETERS, aigc_json, paint_stain, png

Kind = CreditEvent.Kind


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


# --- abuse detection from the findings --------------------------------------------------------


def analysed(dispute):
    item = dispute.evidence.get()
    analysis.analyze_evidence(item.pk)
    return item


def test_the_same_image_from_two_buyer_accounts_costs_both_once(buyer, outsider):
    image = product_photo(40)
    first = analysed(claim(buyer, [upload(image)]))
    second = analysed(claim(outsider, [upload(image)]))
    assert kinds(buyer) == [Kind.IMAGE_REUSED] and kinds(outsider) == [Kind.IMAGE_REUSED]
    assert outsider.credit_events.get().evidence == second
    assert buyer.credit_events.get().evidence == first
    # analysing again (a redelivered task) books nothing new
    second.reports.all().delete()
    analysis.analyze_evidence(second.pk)
    assert CreditEvent.objects.filter(kind=Kind.IMAGE_REUSED).count() == 2


def test_one_buyer_reusing_their_own_photo_is_not_image_reuse(buyer):
    image = product_photo(41)
    analysed(claim(buyer, [upload(image)]))
    analysed(claim(buyer, [upload(image)]))
    assert Kind.IMAGE_REUSED not in kinds(buyer)


def test_a_ring_of_three_accounts_reusing_one_image_is_linked_as_one_cluster(
    platform, buyer, outsider
):
    third = PartyFactory(platform=platform)
    image = product_photo(42)
    for party in (buyer, outsider, third):
        analysed(claim(party, [upload(image)]))
    events = CreditEvent.objects.filter(kind=Kind.IMAGE_REUSED)
    assert sorted(e.party_id for e in events) == sorted([buyer.pk, outsider.pk, third.pk])
    assert len({e.source_key for e in events}) == 1


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


def test_the_same_listing_photo_damaged_in_two_disputes_costs_the_buyers(buyer, outsider, merchant):
    photo = product_photo(43)
    orders = [OrderFactory(buyer=b, merchant=merchant) for b in (buyer, outsider)]
    for order in orders:
        _listing(order, merchant, photo)
    first = analysed(claim(buyer, [upload(_stained(photo))], order=orders[0]))
    assert first.reports.get().signals.filter(code="reuse.local_edit").exists()
    assert Kind.LISTING_DAMAGED_REPEATEDLY not in kinds(buyer)  # one dispute: not a pattern

    analysed(claim(outsider, [upload(_stained(photo))], order=orders[1]))
    for party in (buyer, outsider):
        assert Kind.LISTING_DAMAGED_REPEATEDLY in kinds(party)
    assert CreditEvent.objects.filter(kind=Kind.LISTING_DAMAGED_REPEATEDLY).count() == 2


def test_a_listing_photo_that_declares_ai_generation_costs_the_merchant_once(
    buyer, outsider, merchant
):
    rng = np.random.default_rng(5)
    arr = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    generated = png(arr, text={"parameters": A1111_PARAMETERS})
    for b in (buyer, outsider):  # the same photo listed on two orders
        _listing(
            OrderFactory(buyer=b, merchant=merchant), merchant, generated, "l.png", "image/png"
        )
    event = merchant.credit_events.get()
    assert event.kind == Kind.LISTING_AI and "generator_metadata" in event.reason


@pytest.mark.parametrize(("label", "costs"), [(1, True), (2, False), (3, False)])
def test_an_aigc_label_costs_only_when_it_says_generated(order, merchant, label, costs):
    """Label 1 is "generated by AI"; 2 and 3 ("possibly", "suspected") are the arbitrator's."""
    arr = np.random.default_rng(label).integers(0, 255, (96, 128, 3), dtype=np.uint8)
    labelled = png(arr, text={"AIGC": aigc_json(label, producer="shop-filter")})
    item = _listing(order, merchant, labelled, "l.png", "image/png")
    assert item.reports.get().signals.filter(code="provenance.aigc_label").exists()
    assert kinds(merchant) == ([Kind.LISTING_AI] if costs else [])


def test_a_plain_listing_photo_costs_the_merchant_nothing(order, merchant):
    _listing(order, merchant, product_photo(44))
    assert kinds(merchant) == []


# --- refund-only velocity -------------------------------------------------------------------


def test_refund_only_velocity_books_once_per_window(buyer, settings):
    settings.CREDIT_VELOCITY_CLAIMS = 3
    settings.CREDIT_VELOCITY_DAYS = 30
    claim(buyer, [upload(product_photo(50))])
    claim(buyer, [upload(product_photo(51))], remedy="return_and_refund")
    claim(buyer, [upload(product_photo(52))])
    assert kinds(buyer) == []
    third = claim(buyer, [upload(product_photo(53))])
    event = buyer.credit_events.get()
    assert (event.kind, event.dispute) == (Kind.REFUND_ONLY_VELOCITY, third)
    claim(buyer, [upload(product_photo(54))])
    assert kinds(buyer) == [Kind.REFUND_ONLY_VELOCITY]


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
