"""The suggested outcome: crafted findings and credit in, an outcome and an amount out; the
console shows it, prefills the form with it and records how the decision differs."""

import pytest
from django.utils import timezone, translation

from accounts.models import CreditTier, Party
from arbitration import services
from arbitration.models import Decision, Dispute
from arbitration.services.suggestion import suggest_outcome
from evidence import forensics
from evidence.models import Evidence, ForensicReport
from evidence.services import evidence_add
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

from .conftest import page_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The reasons are read in English here (the default language is Chinese)."""
    with translation.override("en"):
        yield


VERDICT_SIGNALS = {
    "ai_generated": ("provenance.generator_metadata", 1.0, 0.95),
    "edited": ("reuse.local_edit", 0.9, 0.9),
    "suspicious": ("pixel.ela", 0.6, 0.42),
    "no_findings": (None, 0.0, 0.05),
}


def finding(item: Evidence, verdict: str) -> ForensicReport:
    """A current report of ``verdict`` with the signal that would cause it."""
    code, score, forgery = VERDICT_SIGNALS[verdict]
    report = ForensicReport.objects.create(
        evidence=item,
        analyzer_version=forensics.ANALYZER_VERSION,
        forgery_score=forgery,
        verdict=verdict,
    )
    if code:
        report.signals.create(code=code, score=score, polarity="forgery", detail="crafted")
    return report


def set_tier(party, tier: str, score: int) -> None:
    """Put a party in a tier after its dispute is open (watch and restricted limit opening)."""
    Party.objects.filter(pk=party.pk).update(credit_tier=tier, credit_score=score)


def suggest(dispute):
    return suggest_outcome(Dispute.objects.get(pk=dispute.pk))


def claim(buyer, merchant, *, paid=10000, claimed=None, reason="damaged", remedy="refund_only"):
    order = OrderFactory(buyer=buyer, merchant=merchant, amount_fen=paid)
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason=reason,
        remedy=remedy,
        description="The mug has a stain.",
        claimed_amount_fen=claimed,
        files=[jpeg_upload()],
    )


def buyer_photo(dispute) -> Evidence:
    return dispute.evidence.get(role=Evidence.Role.BUYER)


def test_an_ai_generated_stain_from_a_standard_buyer_gets_no_refund(buyer, merchant):
    dispute = claim(buyer, merchant)
    finding(buyer_photo(dispute), "ai_generated")
    suggestion = suggest(dispute)
    assert (suggestion.outcome, suggestion.amount_fen) == (Decision.Outcome.NO_REFUND, 0)
    assert suggestion.evidence_class == "fabricated"
    assert any("AI-generated" in line for line in suggestion.reasons)


def test_clean_evidence_from_a_trusted_buyer_gets_a_full_refund(buyer, merchant):
    dispute = claim(buyer, merchant)
    set_tier(buyer, CreditTier.TRUSTED, 118)
    finding(buyer_photo(dispute), "no_findings")
    suggestion = suggest(dispute)
    assert (suggestion.outcome, suggestion.amount_fen) == (Decision.Outcome.FULL_REFUND, 10000)


def test_a_suspicious_photo_from_a_watch_buyer_gets_thirty_percent_in_whole_yuan(buyer, merchant):
    dispute = claim(buyer, merchant, paid=25990)
    set_tier(buyer, CreditTier.WATCH, 72)
    finding(buyer_photo(dispute), "suspicious")
    suggestion = suggest(dispute)
    assert suggestion.outcome == Decision.Outcome.PARTIAL_REFUND
    assert suggestion.share == 30
    assert suggestion.amount_fen == 7800  # 30 % of ¥259.90 is ¥77.97, rounded to ¥78
    assert any("watch" in line and "72" in line for line in suggestion.reasons)


def test_a_suspicious_photo_from_a_standard_buyer_gets_half_of_a_smaller_claim(buyer, merchant):
    dispute = claim(buyer, merchant, paid=20000, claimed=6000)
    finding(buyer_photo(dispute), "suspicious")
    suggestion = suggest(dispute)
    assert (suggestion.outcome, suggestion.amount_fen) == (Decision.Outcome.PARTIAL_REFUND, 3000)


def captured_live(item: Evidence) -> None:
    Evidence.objects.filter(pk=item.pk).update(captured_live_at=timezone.now())


def test_a_live_capture_lowers_a_suspicious_score_but_keeps_the_finding(buyer, merchant):
    dispute = claim(buyer, merchant)
    set_tier(buyer, CreditTier.WATCH, 70)
    photo = buyer_photo(dispute)
    finding(photo, "suspicious")
    captured_live(photo)
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "suspicious_live"
    assert (suggestion.outcome, suggestion.share) == (Decision.Outcome.PARTIAL_REFUND, 65)
    assert suggestion.amount_fen == 6500
    assert any("suspicious" in line and "captured live" in line for line in suggestion.reasons)


def test_a_live_capture_never_sets_a_forgery_verdict_aside(buyer, merchant):
    dispute = claim(buyer, merchant)
    set_tier(buyer, CreditTier.TRUSTED, 118)
    photo = buyer_photo(dispute)
    finding(photo, "edited")
    captured_live(photo)
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "fabricated"
    assert (suggestion.outcome, suggestion.amount_fen) == (Decision.Outcome.NO_REFUND, 0)
    assert any("edited" in line and "captured live" in line for line in suggestion.reasons)


def test_a_live_capture_does_not_clear_another_suspicious_photo(buyer, merchant):
    dispute = claim(buyer, merchant)
    finding(buyer_photo(dispute), "suspicious")
    (live_photo,) = evidence_add(
        order=dispute.order, dispute=dispute, party=buyer, files=[jpeg_upload()], role="buyer"
    )
    captured_live(live_photo)
    finding(live_photo, "no_findings")
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "suspicious"
    assert (suggestion.outcome, suggestion.amount_fen) == (Decision.Outcome.PARTIAL_REFUND, 5000)


def test_a_clean_live_capture_earns_the_clean_share(buyer, merchant):
    dispute = claim(buyer, merchant)
    set_tier(buyer, CreditTier.WATCH, 70)
    photo = buyer_photo(dispute)
    captured_live(photo)
    finding(photo, "no_findings")
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "clean"
    assert suggestion.outcome == Decision.Outcome.FULL_REFUND


def test_an_ai_listing_photo_makes_a_not_as_described_claim_whole(buyer, merchant):
    dispute = claim(buyer, merchant, reason="not_as_described")
    finding(buyer_photo(dispute), "suspicious")
    (listing,) = evidence_add(
        order=dispute.order, party=merchant, files=[jpeg_upload("listing.jpg")], role="listing"
    )
    finding(listing, "ai_generated")
    suggestion = suggest(dispute)
    assert suggestion.outcome == Decision.Outcome.FULL_REFUND
    assert any("listing photo" in line for line in suggestion.reasons)


def test_the_merchant_s_fabrication_never_rescues_a_fabricated_claim(buyer, merchant):
    dispute = claim(buyer, merchant, reason="not_as_described")
    set_tier(merchant, CreditTier.RESTRICTED, 30)
    finding(buyer_photo(dispute), "edited")
    (listing,) = evidence_add(
        order=dispute.order, party=merchant, files=[jpeg_upload("listing.jpg")], role="listing"
    )
    finding(listing, "ai_generated")
    assert suggest(dispute).outcome == Decision.Outcome.NO_REFUND


def test_unanalysed_evidence_from_a_restricted_buyer_needs_a_return(buyer, merchant):
    dispute = claim(buyer, merchant, paid=9990)
    set_tier(buyer, CreditTier.RESTRICTED, 40)
    set_tier(merchant, CreditTier.WATCH, 60)
    suggestion = suggest(dispute)
    assert suggestion.evidence_class == "unverified"
    assert suggestion.share == 30  # 20 for the buyer, 10 for the merchant in watch
    assert suggestion.amount_fen == 3000  # 30 % of ¥99.90 is ¥29.97


def test_a_full_share_for_a_restricted_buyer_is_a_return_and_refund(buyer, merchant):
    dispute = claim(buyer, merchant)
    set_tier(buyer, CreditTier.RESTRICTED, 40)
    photo = buyer_photo(dispute)
    finding(photo, "no_findings")
    Evidence.objects.filter(pk=photo.pk).update(captured_live_at=timezone.now())
    set_tier(merchant, CreditTier.WATCH, 60)
    (listing,) = evidence_add(
        order=dispute.order, party=merchant, files=[jpeg_upload("listing.jpg")], role="listing"
    )
    finding(listing, "ai_generated")
    suggestion = suggest(dispute)
    assert (suggestion.outcome, suggestion.amount_fen) == (
        Decision.Outcome.RETURN_AND_REFUND,
        10000,
    )


def test_a_buyer_who_asked_for_a_replacement_is_suggested_one(buyer, merchant):
    dispute = claim(buyer, merchant, remedy="replacement")
    finding(buyer_photo(dispute), "no_findings")
    suggestion = suggest(dispute)
    assert (suggestion.outcome, suggestion.amount_fen) == (Decision.Outcome.REPLACEMENT, 0)


def test_a_tiny_partial_stays_above_zero_and_below_the_price(buyer, merchant):
    dispute = claim(buyer, merchant, paid=100)
    finding(buyer_photo(dispute), "suspicious")
    suggestion = suggest(dispute)
    assert suggestion.outcome == Decision.Outcome.PARTIAL_REFUND
    assert suggestion.amount_fen == 50  # ¥1 would be everything paid: no rounding to yuan


def escalated(dispute):
    return services.dispute_escalate(dispute=dispute, party=dispute.buyer, statement="No deal.")


def test_the_console_shows_the_suggestion_and_prefills_the_form(console_client, buyer, merchant):
    dispute = claim(buyer, merchant, paid=25990)
    set_tier(buyer, CreditTier.WATCH, 72)
    finding(buyer_photo(dispute), "suspicious")
    dispute = escalated(dispute)
    response = console_client.get(page_url(dispute))
    html = response.content.decode()
    assert response.context["suggestion"].amount_fen == 7800
    assert 'data-testid="suggestion"' in html
    assert "¥78.00" in html
    assert 'value="partial_refund" selected' in html
    assert 'value="78.00"' in html


def test_a_decision_records_the_suggestion_and_the_difference(console_client, buyer, merchant):
    dispute = claim(buyer, merchant, paid=25990)
    set_tier(buyer, CreditTier.WATCH, 72)
    finding(buyer_photo(dispute), "suspicious")
    dispute = escalated(dispute)
    response = console_client.post(
        page_url(dispute),
        {"outcome": "partial_refund", "amount": "100.00", "reasoning": "The crack is real."},
    )
    assert response.status_code == 302
    decision = Decision.objects.get(dispute=dispute)
    assert decision.suggested_outcome == Decision.Outcome.PARTIAL_REFUND
    assert decision.suggested_amount_fen == 7800
    assert decision.suggestion["difference"] == {
        "outcome_changed": False,
        "amount_delta_fen": 10000 - 7800,
    }
    assert decision.suggestion["reasons"]
    page = console_client.get(page_url(dispute)).content.decode()
    assert 'data-testid="suggestion-record"' in page
    assert "+¥22.00" in page


def test_a_changed_outcome_is_recorded_as_changed(console_client, buyer, merchant):
    dispute = escalated(claim(buyer, merchant))
    finding(buyer_photo(dispute), "ai_generated")
    console_client.post(
        page_url(dispute),
        {"outcome": "full_refund", "reasoning": "The merchant admitted the damage by phone."},
    )
    decision = Decision.objects.get(dispute=dispute)
    assert decision.suggested_outcome == Decision.Outcome.NO_REFUND
    assert decision.suggestion["difference"] == {
        "outcome_changed": True,
        "amount_delta_fen": 10000,
    }


def test_a_suggestion_posted_with_the_form_is_ignored(console_client, buyer, merchant):
    dispute = escalated(claim(buyer, merchant))
    finding(buyer_photo(dispute), "ai_generated")
    console_client.post(
        page_url(dispute),
        {
            "outcome": "no_refund",
            "reasoning": "AI-made stain.",
            "suggested_outcome": "full_refund",
            "suggestion": '{"outcome": "full_refund"}',
        },
    )
    decision = Decision.objects.get(dispute=dispute)
    assert decision.suggested_outcome == Decision.Outcome.NO_REFUND
    assert decision.suggestion["difference"]["outcome_changed"] is False
    assert Dispute.objects.get(pk=dispute.pk).state == Dispute.State.CLOSED


def test_a_withdrawn_dispute_gets_no_suggestion(console_client, buyer, merchant):
    dispute = claim(buyer, merchant)
    services.dispute_withdraw(dispute=dispute, party=buyer)
    response = console_client.get(page_url(dispute))
    assert response.context["suggestion"] is None
    assert 'data-testid="suggestion"' not in response.content.decode()


def test_the_decision_list_shows_the_departure_from_the_suggestion(console_client, buyer, merchant):
    dispute = claim(buyer, merchant, paid=25990)
    set_tier(buyer, CreditTier.WATCH, 72)
    finding(buyer_photo(dispute), "suspicious")
    console_client.post(
        page_url(escalated(dispute)),
        {"outcome": "partial_refund", "amount": "100.00", "reasoning": "The crack is real."},
    )
    html = console_client.get("/console/arbitration/decision/").content.decode()
    assert "partial refund ¥78.00" in html
    assert "+¥22.00" in html
