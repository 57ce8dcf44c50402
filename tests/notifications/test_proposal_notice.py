"""A party whose credit proposal an arbitrator reviewed is told the outcome, in the app and by
e-mail, after commit, once per proposal; nobody is told while it is pending."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import credit
from accounts.models import CreditEvent
from accounts.proposals import credit_proposal_make, credit_proposal_review
from notifications import messages, tasks
from notifications.models import Notification
from notifications.services import credit_proposal_notify

Kind = Notification.Kind


@pytest.fixture
def proposal(buyer, dispute):
    proposal, _created = credit_proposal_make(
        party=buyer,
        kind=CreditEvent.Kind.IMAGE_REUSED,
        source_key="image_reused:7",
        basis={"evidence": [], "disputes": [dispute.pk]},
        dispute=dispute,
        **credit.reason_of("Your photo was filed before by another account."),
    )
    return proposal


def notices(party):
    return Notification.objects.filter(recipient=party, kind=Kind.CREDIT_PROPOSAL_REVIEWED)


def review(proposal, arbitrator, capture, **kwargs):
    with capture(execute=True):
        return credit_proposal_review(proposal=proposal, user=arbitrator, **kwargs)


def test_a_confirmation_is_told_in_the_app_and_by_email(
    eager, django_capture_on_commit_callbacks, proposal, arbitrator, buyer, merchant, settings
):
    settings.LANGUAGE_CODE = "en"
    mail.outbox.clear()
    review(proposal, arbitrator, django_capture_on_commit_callbacks, confirm=True, note="Copied")

    note = notices(buyer).get()
    assert note.context["status"] == "confirmed"
    assert (note.context["event_kind"], note.context["points"]) == ("image_reused", -25)
    assert note.dispute == proposal.dispute
    assert not notices(merchant).exists()
    subjects = [m.subject for m in mail.outbox if m.to == ["lilei@example.com"]]
    assert "A credit check was reviewed" in subjects
    assert "Your credit tier changed" in subjects  # 100 − 25: standard → watch
    body = next(m.body for m in mail.outbox if m.subject == "A credit check was reviewed")
    assert "confirmed it: -25 points were booked" in body
    assert "Note from the arbitrator: Copied" in body


def test_a_dismissal_is_told_too(eager, django_capture_on_commit_callbacks, proposal, arbitrator):
    review(proposal, arbitrator, django_capture_on_commit_callbacks, confirm=False, note="")
    note = notices(proposal.party).get()
    with translation.override("en"):
        text = messages.body(note)
    assert "dismissed it: nothing was booked on your credit record." in text
    assert "Note from the arbitrator" not in text
    with translation.override("zh-hans"):
        assert "驳回" in messages.body(note)


def test_nothing_is_told_while_pending_and_once_after(
    django_capture_on_commit_callbacks, proposal, arbitrator, buyer
):
    assert credit_proposal_notify(proposal_id=proposal.pk) is None
    assert credit_proposal_notify(proposal_id=0) is None
    review(proposal, arbitrator, django_capture_on_commit_callbacks, confirm=False)
    mail.outbox.clear()
    assert tasks.notify_credit_proposal_reviewed(proposal.pk) == 1
    assert tasks.notify_credit_proposal_reviewed(proposal.pk) == 0  # a rerun sends nothing
    assert notices(buyer).count() == 1 and len(mail.outbox) == 1


def test_the_signal_waits_for_commit(django_capture_on_commit_callbacks, proposal, arbitrator):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        credit_proposal_review(proposal=proposal, user=arbitrator, confirm=True)
    assert not notices(proposal.party).exists()
    assert callbacks


def test_opening_the_notice_goes_to_the_credit_page(
    eager, django_capture_on_commit_callbacks, proposal, arbitrator, buyer
):
    review(proposal, arbitrator, django_capture_on_commit_callbacks, confirm=True)
    client = Client()
    client.force_login(buyer.user)
    response = client.post(reverse("notification_open", args=[notices(buyer).get().pk]))
    assert response.status_code == 302 and response.url == reverse("credit")
