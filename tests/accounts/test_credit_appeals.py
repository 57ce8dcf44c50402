"""Appeals: a party contests its own event once; an arbitrator reverses (score back) or confirms."""

import pytest

from accounts import credit
from accounts.models import CreditAppeal, CreditEvent, CreditTier
from accounts.services import credit_appeal_file, credit_appeal_review
from arbitration.errors import DomainError, NotAllowed

Kind = CreditEvent.Kind


@pytest.fixture
def fabricated(buyer, dispute):
    event, _ = credit.credit_event_record(
        party=buyer,
        kind=Kind.EVIDENCE_FABRICATED,
        reason="The crack was painted in.",
        source_key=f"decision:{dispute.pk}:evidence:1",
        dispute=dispute,
    )
    return event


def test_a_buyer_appeals_and_the_arbitrator_reverses_the_event(buyer, arbitrator, fabricated):
    buyer.refresh_from_db()
    assert buyer.credit_tier == CreditTier.WATCH

    appeal = credit_appeal_file(
        party=buyer, event=fabricated, statement="  Here is the camera original.  ", user=buyer.user
    )
    assert appeal.status == CreditAppeal.Status.PENDING
    assert appeal.statement == "Here is the camera original."

    credit_appeal_review(appeal=appeal, user=arbitrator, reverse=True, note="Original checks out")

    appeal.refresh_from_db()
    fabricated.refresh_from_db()
    buyer.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.REVERSED
    assert appeal.reviewed_by == arbitrator and appeal.review_note == "Original checks out"
    assert fabricated.reversed_at is not None and fabricated.reversed_by == arbitrator
    assert (buyer.credit_score, buyer.credit_tier) == (100, CreditTier.STANDARD)
    audit = fabricated.dispute.events.filter(action__startswith="credit_appeal").values_list(
        "action", "payload"
    )
    assert [a for a, _ in audit] == ["credit_appeal_filed", "credit_appeal_reviewed"]
    assert list(audit)[1][1]["status"] == "reversed"


def test_a_confirmed_appeal_leaves_the_score_and_is_audited(buyer, arbitrator, fabricated):
    appeal = credit_appeal_file(party=buyer, event=fabricated, statement="It was real")
    credit_appeal_review(appeal=appeal, user=arbitrator, reverse=False, note="Stain is synthetic")
    appeal.refresh_from_db()
    buyer.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.CONFIRMED
    assert buyer.credit_score == 60
    assert fabricated.dispute.events.filter(
        action="credit_appeal_reviewed", payload__status="confirmed"
    ).exists()


def test_only_the_events_own_party_can_appeal(outsider, merchant, fabricated):
    with pytest.raises(NotAllowed):
        credit_appeal_file(party=outsider, event=fabricated, statement="not mine")
    with pytest.raises(NotAllowed):
        credit_appeal_file(party=merchant, event=fabricated, statement="not mine")
    assert not CreditAppeal.objects.exists()


def test_a_user_cannot_appeal_for_a_party_they_do_not_own(buyer, outsider, fabricated):
    with pytest.raises(NotAllowed):
        credit_appeal_file(party=buyer, event=fabricated, statement="x", user=outsider.user)


@pytest.mark.parametrize(
    ("statement", "code"),
    [("", "statement_required"), ("   ", "statement_required"), ("x" * 2001, "statement_too_long")],
)
def test_a_statement_is_required_and_limited(buyer, fabricated, statement, code):
    with pytest.raises(DomainError) as err:
        credit_appeal_file(party=buyer, event=fabricated, statement=statement)
    assert err.value.code == code and err.value.field == "statement"
    assert not CreditAppeal.objects.exists()


def test_one_appeal_per_event(buyer, arbitrator, fabricated):
    appeal = credit_appeal_file(party=buyer, event=fabricated, statement="first")
    with pytest.raises(DomainError) as err:
        credit_appeal_file(party=buyer, event=fabricated, statement="second")
    assert err.value.code == "appeal_pending"
    credit_appeal_review(appeal=appeal, user=arbitrator, reverse=False, note="")
    with pytest.raises(DomainError) as err:
        credit_appeal_file(party=buyer, event=fabricated, statement="third")
    assert err.value.code == "already_appealed"
    assert CreditAppeal.objects.count() == 1


def test_a_reversed_event_cannot_be_appealed(buyer, arbitrator, fabricated):
    credit.credit_event_reverse(event=fabricated, user=arbitrator, note="mistake")
    with pytest.raises(DomainError) as err:
        credit_appeal_file(party=buyer, event=fabricated, statement="please")
    assert err.value.code == "already_reversed"


def test_an_event_that_earns_points_cannot_be_appealed(buyer):
    event, _ = credit.credit_event_record(
        party=buyer, kind=Kind.CLAIM_UPHELD, reason="won", source_key="decision:9"
    )
    with pytest.raises(DomainError) as err:
        credit_appeal_file(party=buyer, event=event, statement="why not")
    assert err.value.code == "nothing_to_appeal"


def test_only_an_arbitrator_reviews_and_only_once(buyer, arbitrator, fabricated):
    appeal = credit_appeal_file(party=buyer, event=fabricated, statement="please")
    with pytest.raises(NotAllowed):
        credit_appeal_review(appeal=appeal, user=buyer.user, reverse=True, note="")
    appeal.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.PENDING
    credit_appeal_review(appeal=appeal, user=arbitrator, reverse=True, note="ok")
    with pytest.raises(DomainError) as err:
        credit_appeal_review(appeal=appeal, user=arbitrator, reverse=False, note="again")
    assert err.value.code == "already_reviewed"


def test_an_event_without_a_dispute_can_be_appealed(buyer, arbitrator):
    event, _ = credit.credit_event_record(
        party=buyer, kind=Kind.REFUND_ONLY_VELOCITY, reason="3 in a week", source_key="v:1"
    )
    appeal = credit_appeal_file(party=buyer, event=event, statement="different orders")
    credit_appeal_review(appeal=appeal, user=arbitrator, reverse=True, note="ok")
    buyer.refresh_from_db()
    assert buyer.credit_score == 100


def test_appeals_stay_off_the_parties_dispute_timelines(buyer, fabricated):
    from arbitration.models import DisputeEvent
    from arbitration.selectors import dispute_timeline

    credit_appeal_file(party=buyer, event=fabricated, statement="mine")
    for side in (DisputeEvent.Actor.BUYER, DisputeEvent.Actor.MERCHANT):
        actions = [e.action for e in dispute_timeline(fabricated.dispute, side)]
        assert "credit_appeal_filed" not in actions
