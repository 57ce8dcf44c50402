"""An arbitrator asks a party for more evidence: the review clock stops while the party is
asked and runs on afterwards (frozen clock), only the party asked can answer, and only until
the due time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from arbitration import lifecycle, services
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import DisputeEvent, EvidenceRequest
from arbitration.services import requests
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from webhooks.models import WebhookEvent

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
DUE = T0 + lifecycle.REVIEW_WINDOW


def at(moment, call, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return call(*args, **kwargs)


@pytest.fixture
def review(dispute, buyer):
    """The conftest claim, escalated at T0: the review clock says decide by T0 + 72 h."""
    return at(T0, services.dispute_escalate, dispute=dispute, party=buyer)


def ask(dispute, user, side="buyer", *, when=T0 + H, due=T0 + 25 * H, what="The box, please."):
    return at(
        when,
        requests.evidence_request,
        dispute=dispute,
        user=user,
        side=side,
        what=what,
        due_at=due,
    )


def upload(dispute, party, when):
    return at(
        when,
        services.party_add_evidence,
        dispute=dispute,
        party=party,
        files=[jpeg_upload("more.jpg", color=(10, 200, 10))],
        user=party.user,
    )


def fresh(dispute):
    dispute.refresh_from_db()
    return dispute


def test_escalation_starts_the_review_clock(review):
    assert (fresh(review).review_due_at, review.review_paused_at) == (DUE, None)
    assert requests.review_due(review) == DUE


def test_a_request_pauses_the_clock_and_the_answer_resumes_it(review, arbitrator, buyer):
    request = ask(review, arbitrator)

    review = fresh(review)
    assert (review.review_paused_at, review.review_due_at) == (T0 + H, DUE)
    assert requests.review_due(review, now=T0 + 5 * H) == DUE + 4 * H

    items = upload(review, buyer, T0 + 11 * H)

    request.refresh_from_db()
    assert (request.status, request.fulfilled_at) == ("fulfilled", T0 + 11 * H)
    assert list(request.evidence.all()) == items
    review = fresh(review)
    assert (review.review_paused_at, review.review_due_at) == (None, DUE + 10 * H)
    assert review.state == "under_review"
    events = DisputeEvent.objects.filter(dispute=review).order_by("pk")
    assert list(events.values_list("action", flat=True))[-3:] == [
        "request_evidence",
        "evidence_added",
        "evidence_request_fulfilled",
    ]


def test_a_request_left_unanswered_lapses_at_its_due_time(review, arbitrator, buyer):
    ask(review, arbitrator, due=T0 + 3 * H)

    with pytest.raises(DomainError) as caught:
        upload(review, buyer, T0 + 4 * H)  # past due, though the sweep has not run
    assert caught.value.code == "evidence_closed"

    assert at(T0 + 10 * H, services.expire_overdue) == 0
    assert at(T0 + 10 * H, requests.evidence_requests_lapse) == 1

    request = EvidenceRequest.objects.get()
    assert (request.status, request.closed_at) == ("lapsed", T0 + 3 * H)
    review = fresh(review)
    assert (review.review_paused_at, review.review_due_at) == (None, DUE + 2 * H)
    assert at(T0 + 11 * H, requests.evidence_requests_lapse) == 0


def test_the_beat_task_lapses_requests(review, arbitrator):
    from arbitration.tasks import expire_overdue_disputes

    ask(review, arbitrator, due=T0 + 3 * H)

    at(T0 + 4 * H, expire_overdue_disputes)

    assert EvidenceRequest.objects.get().status == "lapsed"


def test_with_both_parties_asked_the_clock_waits_for_the_last_answer(
    review, arbitrator, buyer, merchant
):
    ask(review, arbitrator, "buyer", when=T0 + H, due=T0 + 20 * H)
    ask(review, arbitrator, "merchant", when=T0 + 2 * H, due=T0 + 20 * H)

    upload(review, buyer, T0 + 5 * H)
    assert fresh(review).review_paused_at == T0 + H

    upload(review, merchant, T0 + 8 * H)
    review = fresh(review)
    assert (review.review_paused_at, review.review_due_at) == (None, DUE + 7 * H)


def test_the_pause_ends_at_the_last_close_even_when_a_lapse_is_swept_late(
    review, arbitrator, buyer
):
    ask(review, arbitrator, "merchant", when=T0 + H, due=T0 + 3 * H)
    ask(review, arbitrator, "buyer", when=T0 + H, due=T0 + 20 * H)

    upload(review, buyer, T0 + 6 * H)  # the merchant's request lapsed unswept at T0 + 3 h

    review = fresh(review)
    assert (review.review_paused_at, review.review_due_at) == (None, DUE + 5 * H)
    assert EvidenceRequest.objects.get(side="merchant").status == "lapsed"


def test_under_review_only_the_party_asked_may_add_evidence(review, arbitrator, buyer, merchant):
    with pytest.raises(DomainError) as caught:
        upload(review, buyer, T0 + H)
    assert caught.value.code == "evidence_closed"

    ask(review, arbitrator, "buyer")
    before = Evidence.objects.count()
    with pytest.raises(DomainError):
        upload(review, merchant, T0 + 2 * H)  # asked of the buyer, not the merchant

    assert Evidence.objects.count() == before
    assert EvidenceRequest.objects.get().status == "open"


def test_the_request_is_audited_and_sent_to_the_platform(review, arbitrator):
    request = ask(review, arbitrator, "merchant", what="The courier's weight record.")

    event = DisputeEvent.objects.get(dispute=review, action="request_evidence")
    assert (event.actor, event.actor_user, event.from_state) == (
        "arbitrator",
        arbitrator,
        "under_review",
    )
    assert event.payload["side"] == "merchant"
    assert event.payload["what"] == "The courier's weight record."
    hook = WebhookEvent.objects.get(type="dispute.evidence_requested")
    assert hook.payload == {
        "object": "evidence_request",
        "id": request.pk,
        "dispute": review.pk,
        "side": "merchant",
        "what": "The courier's weight record.",
        "due_at": int((T0 + 25 * H).timestamp()),
        "status": "open",
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"side": "arbitrator"}, "side"),
        ({"side": ""}, "side"),
        ({"what": "  "}, "what"),
        ({"due": T0 + H + timedelta(minutes=30)}, "due_at"),
        ({"due": T0 + timedelta(days=20)}, "due_at"),
        ({"due": T0}, "due_at"),
    ],
)
def test_a_bad_request_is_refused_and_changes_nothing(review, arbitrator, kwargs, field):
    with pytest.raises(DomainError) as caught:
        ask(review, arbitrator, **kwargs)

    assert caught.value.field == field
    assert not EvidenceRequest.objects.exists()
    assert fresh(review).review_paused_at is None


def test_one_open_request_per_party(review, arbitrator):
    ask(review, arbitrator, "buyer")

    with pytest.raises(DomainError) as caught:
        ask(review, arbitrator, "buyer", when=T0 + 2 * H)

    assert caught.value.code == "request_open"
    assert EvidenceRequest.objects.count() == 1


def test_only_an_arbitrator_asks(review, buyer):
    with pytest.raises(NotAllowed):
        ask(review, buyer.user)


def test_evidence_is_requested_only_under_review(dispute, arbitrator):
    with pytest.raises(DomainError) as caught:
        ask(dispute, arbitrator)

    assert (caught.value.code, caught.value.status) == ("not_under_review", 409)
    assert not EvidenceRequest.objects.exists()


def test_the_decision_closes_open_requests(review, arbitrator, buyer):
    ask(review, arbitrator, "buyer")

    at(
        T0 + 2 * H,
        services.dispute_decide,
        dispute=review,
        user=arbitrator,
        outcome="no_refund",
        reasoning="Enough.",
    )

    assert EvidenceRequest.objects.get().status == "closed"
    assert fresh(review).review_paused_at is None
    with pytest.raises(DomainError):
        upload(review, buyer, T0 + 3 * H)
