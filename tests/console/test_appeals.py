"""Credit appeals in the console: a queue of pending appeals and a review page that reverses
(the score comes back) or confirms the event, with a note."""

import pytest
from django.urls import reverse

from accounts.credit import credit_event_record
from accounts.models import CreditAppeal, CreditEvent, CreditTier
from accounts.services import credit_appeal_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

APPEALS = "/console/accounts/creditappeal/"


def appeal_url(appeal) -> str:
    return reverse("console:accounts_creditappeal_change", args=[appeal.pk])


@pytest.fixture
def appeal(buyer, dispute):
    event, _created = credit_event_record(
        party=buyer,
        kind=CreditEvent.Kind.EVIDENCE_FABRICATED,
        reason="The stain was painted on by an image model.",
        source_key=f"decision:{dispute.pk}",
        dispute=dispute,
    )
    return credit_appeal_file(
        party=buyer, event=event, statement="I photographed the real stain myself."
    )


def test_the_queue_lists_pending_appeals_first_with_their_party(console_client, appeal, buyer):
    response = console_client.get(APPEALS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "I photographed the real stain myself." in html
    assert reverse("console:accounts_party_change", args=[buyer.pk]) in html
    assert "evidence found fabricated (-40)" in html
    assert list(response.context["cl"].result_list) == [appeal]


def test_the_review_page_shows_the_event_and_the_statement(console_client, appeal, dispute):
    html = console_client.get(appeal_url(appeal)).content.decode()
    assert "The stain was painted on by an image model." in html
    assert "I photographed the real stain myself." in html
    assert dispute.reference in html
    assert 'data-testid="appeal-form"' in html


def test_reversing_restores_the_score(console_client, appeal, buyer, arbitrator):
    buyer.refresh_from_db()
    assert (buyer.credit_score, buyer.credit_tier) == (60, CreditTier.WATCH)
    response = console_client.post(
        appeal_url(appeal), {"decision": "reverse", "note": "Camera original checked."}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.REVERSED
    assert appeal.reviewed_by == arbitrator
    assert appeal.review_note == "Camera original checked."
    event = CreditEvent.objects.get(pk=appeal.event_id)
    assert event.reversed_at is not None
    assert event.reversal_note == "Camera original checked."
    buyer.refresh_from_db()
    assert (buyer.credit_score, buyer.credit_tier) == (100, CreditTier.STANDARD)
    page = console_client.get(appeal_url(appeal)).content.decode()
    assert "event reversed" in page
    assert 'data-testid="appeal-form"' not in page


def test_confirming_keeps_the_event(console_client, appeal, buyer):
    response = console_client.post(appeal_url(appeal), {"decision": "confirm", "note": ""})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.CONFIRMED
    assert CreditEvent.objects.get(pk=appeal.event_id).reversed_at is None
    buyer.refresh_from_db()
    assert buyer.credit_score == 60


def test_a_second_review_is_refused_and_changes_nothing(console_client, appeal, buyer):
    console_client.post(appeal_url(appeal), {"decision": "confirm"})
    response = console_client.post(appeal_url(appeal), {"decision": "reverse"})
    assert response.status_code == 400
    assert "already been reviewed" in response.content.decode()
    assert CreditEvent.objects.get(pk=appeal.event_id).reversed_at is None
    assert CreditAppeal.objects.get(pk=appeal.pk).status == CreditAppeal.Status.CONFIRMED


def test_a_review_without_a_decision_is_refused(console_client, appeal):
    response = console_client.post(appeal_url(appeal), {"decision": "delete", "note": "x"})
    assert response.status_code == 400
    assert CreditAppeal.objects.get(pk=appeal.pk).status == CreditAppeal.Status.PENDING


def test_a_note_that_is_too_long_is_refused(console_client, appeal):
    response = console_client.post(appeal_url(appeal), {"decision": "reverse", "note": "x" * 3000})
    assert response.status_code == 400
    assert CreditAppeal.objects.get(pk=appeal.pk).status == CreditAppeal.Status.PENDING


@pytest.mark.parametrize("who", ["buyer", "staff"])
def test_a_non_arbitrator_cannot_review(client, appeal, buyer, who):
    user = buyer.user if who == "buyer" else UserFactory(is_staff=True, is_arbitrator=False)
    client.force_login(user)
    for response in (
        client.get(APPEALS),
        client.post(appeal_url(appeal), {"decision": "reverse"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/console/login/")
    assert CreditAppeal.objects.get(pk=appeal.pk).status == CreditAppeal.Status.PENDING


def test_the_ledger_is_listed_read_only(console_client, appeal):
    response = console_client.get("/console/accounts/creditevent/")
    assert response.status_code == 200
    assert "The stain was painted on by an image model." in response.content.decode()
    event = appeal.event
    url = reverse("console:accounts_creditevent_change", args=[event.pk])
    assert console_client.post(url, {"points": "0"}).status_code == 403


def test_the_console_index_counts_the_appeals_waiting(console_client, appeal):
    response = console_client.get("/console/")
    assert response.context["pending_appeals"] == 1
    card = response.content.decode().split('data-testid="pending-appeals"')[0]
    assert f"{APPEALS}?status__exact=pending" in card.rsplit("<a", 1)[1]
