"""Credit proposals: detected abuse weighs nothing until an arbitrator confirms it; confirming
books it through the ledger, dismissing books nothing; each is reviewed once, by an
arbitrator only."""

import pytest

from accounts import credit
from accounts.models import CreditEvent, CreditProposal, CreditTier
from accounts.proposals import NOTE_MAX, credit_proposal_make, credit_proposal_review
from accounts.services import credit_appeal_file, credit_appeal_review
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import DisputeEvent
from tests.arbitration.test_concurrency import race, split
from tests.factories import UserFactory

Kind = CreditEvent.Kind
Status = CreditProposal.Status


@pytest.fixture
def proposal(buyer, dispute):
    proposal, created = credit_proposal_make(
        party=buyer,
        kind=Kind.IMAGE_REUSED,
        source_key="image_reused:1",
        basis={"evidence": [1, 2], "disputes": [dispute.pk]},
        dispute=dispute,
        **credit.reason_of("Your photo (evidence #%(pk)d) was filed before.", pk=2),
    )
    assert created
    return proposal


def standing(party):
    party.refresh_from_db()
    return party.credit_score, party.credit_tier


def test_a_proposal_weighs_nothing(proposal, buyer):
    assert (proposal.status, proposal.points, proposal.event) == (Status.PENDING, -25, None)
    assert standing(buyer) == (100, CreditTier.STANDARD)
    assert not buyer.credit_events.exists()
    assert credit.credit_score_at(buyer) == 100 and credit.top_reasons(buyer) == []


def test_the_same_cause_is_proposed_once_even_after_a_dismissal(proposal, buyer, arbitrator):
    credit_proposal_review(proposal=proposal, user=arbitrator, confirm=False)
    again, created = credit_proposal_make(
        party=buyer,
        kind=Kind.IMAGE_REUSED,
        source_key="image_reused:1",
        basis={},
        reason="again",
    )
    assert (again.pk, created, again.status) == (proposal.pk, False, Status.DISMISSED)


def test_confirming_books_the_event_and_may_change_the_tier(proposal, buyer, arbitrator):
    reviewed = credit_proposal_review(
        proposal=proposal, user=arbitrator, confirm=True, note="Same photo, two accounts."
    )
    event = reviewed.event
    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_note) == (
        Status.CONFIRMED,
        arbitrator,
        "Same photo, two accounts.",
    )
    assert (event.kind, event.points, event.source_key) == (
        Kind.IMAGE_REUSED,
        -25,
        f"proposal:{proposal.pk}",
    )
    assert event.created_by == arbitrator and event.dispute == proposal.dispute
    assert event.reason_text == "Your photo (evidence #2) was filed before."
    assert standing(buyer) == (75, CreditTier.WATCH)
    assert credit.credit_score_at(buyer, buyer.credit_scored_at) == buyer.credit_score


def test_dismissing_books_nothing(proposal, buyer, arbitrator):
    reviewed = credit_proposal_review(
        proposal=proposal, user=arbitrator, confirm=False, note="A public review photo."
    )
    assert (reviewed.status, reviewed.event, reviewed.review_note) == (
        Status.DISMISSED,
        None,
        "A public review photo.",
    )
    assert not buyer.credit_events.exists()
    assert standing(buyer) == (100, CreditTier.STANDARD)


def test_the_dispute_keeps_an_audit_line(proposal, dispute, arbitrator):
    credit_proposal_review(proposal=proposal, user=arbitrator, confirm=False, note="No.")
    line = DisputeEvent.objects.get(dispute=dispute, action="credit_proposal_reviewed")
    assert line.actor_user == arbitrator
    assert line.payload == {
        "proposal": proposal.pk,
        "party": proposal.party_id,
        "kind": Kind.IMAGE_REUSED,
        "status": Status.DISMISSED,
        "note": "No.",
    }


@pytest.mark.parametrize("first", [True, False])
def test_a_proposal_is_reviewed_once(proposal, buyer, arbitrator, first):
    credit_proposal_review(proposal=proposal, user=arbitrator, confirm=first)
    before = standing(buyer), buyer.credit_events.count()
    for confirm in (True, False):
        with pytest.raises(DomainError) as err:
            credit_proposal_review(proposal=proposal, user=arbitrator, confirm=confirm)
        assert err.value.code == "already_reviewed"
    proposal.refresh_from_db()
    assert proposal.status == (Status.CONFIRMED if first else Status.DISMISSED)
    assert (standing(buyer), buyer.credit_events.count()) == before


@pytest.mark.parametrize("who", ["party", "staff", "inactive arbitrator"])
def test_only_an_arbitrator_reviews_a_proposal(proposal, buyer, who):
    user = {
        "party": lambda: buyer.user,
        "staff": lambda: UserFactory(is_staff=True),
        "inactive arbitrator": lambda: UserFactory(is_arbitrator=True, is_active=False),
    }[who]()
    with pytest.raises(NotAllowed):
        credit_proposal_review(proposal=proposal, user=user, confirm=True)
    proposal.refresh_from_db()
    assert proposal.status == Status.PENDING and not buyer.credit_events.exists()


def test_a_note_too_long_changes_nothing(proposal, buyer, arbitrator):
    with pytest.raises(DomainError) as err:
        credit_proposal_review(
            proposal=proposal, user=arbitrator, confirm=True, note="x" * (NOTE_MAX + 1)
        )
    assert err.value.field == "note"
    proposal.refresh_from_db()
    assert proposal.status == Status.PENDING and not buyer.credit_events.exists()


def test_a_confirmed_event_is_appealed_and_reversed_like_any_other(proposal, buyer, arbitrator):
    event = credit_proposal_review(proposal=proposal, user=arbitrator, confirm=True).event
    appeal = credit_appeal_file(party=buyer, event=event, statement="It is my own photo.")
    second = UserFactory(is_arbitrator=True)
    credit_appeal_review(appeal=appeal, user=second, reverse=True, note="Checked.")
    assert standing(buyer) == (100, CreditTier.STANDARD)


@pytest.mark.django_db(transaction=True)
def test_two_arbitrators_reviewing_at_once_review_it_once(proposal, buyer, arbitrator):
    other = UserFactory(username="judge2", is_arbitrator=True)
    results = race(
        lambda: credit_proposal_review(proposal=proposal, user=arbitrator, confirm=True),
        lambda: credit_proposal_review(proposal=proposal, user=other, confirm=False),
    )
    wins, losses = split(results)
    assert len(wins) == 1 and len(losses) == 1
    assert isinstance(losses[0], DomainError) and losses[0].code == "already_reviewed"
    proposal.refresh_from_db()
    assert proposal.status == wins[0].status
    booked = 1 if proposal.status == Status.CONFIRMED else 0
    assert buyer.credit_events.count() == booked
    buyer.refresh_from_db()
    assert buyer.credit_score == (75 if booked else 100)
