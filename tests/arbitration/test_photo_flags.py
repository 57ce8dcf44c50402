"""The merchant's "this photo is fake" flag: one click on a buyer photo with a reason, seen by
the arbitrator beside the findings, settled by the decision (an upheld flag in its reasons),
and never a credit event without the arbitrator's confirmation."""

import pytest
from django.urls import reverse

from accounts.models import CreditEvent, CreditProposal
from arbitration import lifecycle, services
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import DisputeEvent, PhotoFlag
from arbitration.services.flags import photo_flag, photo_flag_review
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.pages.conftest import client_for


def buyer_photo(dispute):
    return Evidence.objects.get(dispute=dispute, role="buyer")


def flag(dispute, merchant, **fields):
    return photo_flag(
        dispute=dispute,
        party=merchant,
        **{
            "evidence_id": buyer_photo(dispute).pk,
            "reason": "edited",
            "user": merchant.user,
            **fields,
        },
    )


def fabricated_events(party):
    return CreditEvent.objects.filter(party=party, kind="evidence_fabricated")


def test_a_flag_is_recorded_and_books_nothing(dispute, merchant, buyer):
    item = flag(dispute, merchant, note="The stain is pasted on.")

    assert (item.status, item.reason, item.note) == ("flagged", "edited", "The stain is pasted on.")
    event = DisputeEvent.objects.get(dispute=dispute, action="photo_flagged")
    assert (event.actor, event.payload["evidence"]) == ("merchant", item.evidence_id)
    assert not fabricated_events(buyer).exists()
    assert not CreditProposal.objects.exists()


def test_an_upheld_flag_is_in_the_decisions_reasons_and_costs_the_buyer(
    dispute, merchant, buyer, arbitrator
):
    item = flag(dispute, merchant)
    services.dispute_escalate(dispute=dispute, party=merchant)

    decision = services.dispute_decide(
        dispute=dispute,
        user=arbitrator,
        outcome="no_refund",
        reasoning="The stain is painted.",
        fabricated_evidence_ids=[item.evidence_id],
    )

    item.refresh_from_db()
    assert (item.status, item.reviewed_by) == ("upheld", arbitrator)
    assert decision.reasoning.startswith("The stain is painted.")
    assert f"flag on the buyer's photo #{item.evidence_id} is upheld" in decision.reasoning
    assert fabricated_events(buyer).count() == 1


def test_a_flag_the_arbitrator_does_not_confirm_is_dismissed_and_costs_nothing(
    dispute, merchant, buyer, arbitrator
):
    item = flag(dispute, merchant)
    services.dispute_escalate(dispute=dispute, party=merchant)

    decision = services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="full_refund", reasoning="Real crack."
    )

    item.refresh_from_db()
    assert item.status == "dismissed"
    assert "flag" not in decision.reasoning
    assert not fabricated_events(buyer).exists()


def test_only_the_merchant_flags_and_only_the_buyers_photos(dispute, merchant, buyer, outsider):
    with pytest.raises(NotAllowed):
        flag(dispute, buyer)
    with pytest.raises(NotAllowed):
        flag(dispute, outsider)
    (own,) = services.party_add_evidence(dispute=dispute, party=merchant, files=[jpeg_upload()])
    with pytest.raises(DomainError):
        flag(dispute, merchant, evidence_id=own.pk)
    with pytest.raises(DomainError):
        flag(dispute, merchant, evidence_id="not-a-number")
    with pytest.raises(DomainError):
        flag(dispute, merchant, reason="because")
    assert not PhotoFlag.objects.exists()


def test_a_photo_is_flagged_once(dispute, merchant):
    flag(dispute, merchant)
    with pytest.raises(DomainError, match="already flagged"):
        flag(dispute, merchant, reason="ai_generated")


def test_no_flag_after_a_judged_decision(dispute, merchant, buyer, arbitrator):
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(dispute=dispute, user=arbitrator, outcome="no_refund", reasoning="x")
    with pytest.raises(DomainError, match="no longer be flagged"):
        flag(dispute, merchant)


def test_a_flag_before_the_decision_is_not_reviewed_on_its_own(dispute, merchant, arbitrator):
    item = flag(dispute, merchant)
    with pytest.raises(DomainError, match="decision"):
        photo_flag_review(flag=item, user=arbitrator, uphold=True)
    item.refresh_from_db()
    assert item.status == "flagged"


def test_flag_steps_refuse_illegal_moves(dispute, merchant):
    item = flag(dispute, merchant)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.advance(dispute, item, lifecycle.FLAG_STEPS, "flag_upheld", actor="merchant")
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.advance(dispute, item, lifecycle.FLAG_STEPS, "photo_flagged", actor="merchant")


def test_the_merchant_flags_on_the_page_and_the_buyer_does_not_see_it(dispute, merchant, buyer):
    photo = buyer_photo(dispute)
    page = client_for(merchant.user).get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert f'data-testid="flag-form-{photo.pk}"' in page

    response = client_for(merchant.user).post(
        reverse("photo_flag", args=[dispute.pk]), {"evidence": photo.pk, "reason": "ai_generated"}
    )
    bad = client_for(merchant.user).post(
        reverse("photo_flag", args=[dispute.pk]), {"evidence": photo.pk, "reason": "nope"}
    )
    by_buyer = client_for(buyer.user).post(
        reverse("photo_flag", args=[dispute.pk]), {"evidence": photo.pk, "reason": "edited"}
    )

    assert (response.status_code, bad.status_code, by_buyer.status_code) == (302, 400, 404)
    assert PhotoFlag.objects.get().reason == "ai_generated"
    buyer_page = client_for(buyer.user).get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert "photo-flags" not in buyer_page and "as fake" not in buyer_page


def test_the_arbitrator_sees_the_flag_beside_the_findings(dispute, merchant, arbitrator):
    item = flag(dispute, merchant, note="Pasted on.")
    services.dispute_escalate(dispute=dispute, party=merchant)

    page = (
        client_for(arbitrator)
        .get(reverse("console:arbitration_dispute_change", args=[dispute.pk]))
        .content.decode()
    )

    assert f'data-testid="merchant-flag-{item.evidence_id}"' in page
    assert "Pasted on." in page
    # the flagged photo can be confirmed fabricated in the decision form
    assert f'name="fabricated" value="{item.evidence_id}"' in page
