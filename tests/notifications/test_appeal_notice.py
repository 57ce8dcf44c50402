"""A party whose credit appeal is decided is told how, with the arbitrator's note: in the app
and by e-mail, after commit, once per appeal."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import credit
from accounts.models import CreditAppeal, CreditEvent
from accounts.services import credit_appeal_file, credit_appeal_review
from notifications import messages, tasks
from notifications.models import Notification
from notifications.services import credit_appeal_notify

Kind = Notification.Kind


@pytest.fixture
def appeal(buyer, dispute):
    event, _ = credit.credit_event_record(
        party=buyer,
        kind=CreditEvent.Kind.EVIDENCE_FABRICATED,
        reason="The crack was painted in.",
        source_key=f"decision:{dispute.pk}:evidence:1",
        dispute=dispute,
    )
    return credit_appeal_file(
        party=buyer, event=event, statement="Here is the camera original.", user=buyer.user
    )


def notices(party):
    return Notification.objects.filter(recipient=party, kind=Kind.CREDIT_APPEAL_DECIDED)


def review(appeal, arbitrator, capture, **kwargs):
    with capture(execute=True):
        return credit_appeal_review(appeal=appeal, user=arbitrator, **kwargs)


def test_a_reversal_is_told_in_the_app_and_by_email(
    eager, django_capture_on_commit_callbacks, appeal, arbitrator, buyer, merchant, settings
):
    settings.LANGUAGE_CODE = "en"
    mail.outbox.clear()
    review(
        appeal, arbitrator, django_capture_on_commit_callbacks, reverse=True, note="Original holds"
    )

    note = notices(buyer).get()
    assert note.context == {
        "status": "reversed",
        "note": "Original holds",
        "event_kind": "evidence_fabricated",
        "points": -40,
    }
    assert not notices(merchant).exists()
    appeal_mails = [m for m in mail.outbox if m.subject == "Your credit appeal was decided"]
    assert [m.to for m in appeal_mails] == [["lilei@example.com"]]
    assert "reversed the event you appealed" in appeal_mails[0].body
    assert "Note from the arbitrator: Original holds" in appeal_mails[0].body


def test_a_confirmation_is_told_too(
    eager, django_capture_on_commit_callbacks, appeal, arbitrator, buyer
):
    review(appeal, arbitrator, django_capture_on_commit_callbacks, reverse=False, note="")
    note = notices(buyer).get()
    assert note.context["status"] == CreditAppeal.Status.CONFIRMED
    with translation.override("en"):
        text = messages.body(note)
    assert text.startswith("The arbitrator confirmed the event you appealed (")
    assert "Note from the arbitrator" not in text  # no note, no empty line about it


def test_once_per_appeal_however_often_the_task_runs(
    django_capture_on_commit_callbacks, appeal, arbitrator, buyer
):
    review(appeal, arbitrator, django_capture_on_commit_callbacks, reverse=True, note="ok")
    mail.outbox.clear()
    assert tasks.notify_credit_appeal_decided(appeal.pk) == 1
    assert tasks.notify_credit_appeal_decided(appeal.pk) == 0  # a rerun sends nothing more
    assert notices(buyer).count() == 1
    assert len(mail.outbox) == 1


def test_nothing_is_sent_while_the_appeal_is_pending(appeal, buyer):
    assert credit_appeal_notify(appeal_id=appeal.pk) is None
    assert credit_appeal_notify(appeal_id=0) is None
    assert not notices(buyer).exists()


def test_the_signal_waits_for_commit(django_capture_on_commit_callbacks, appeal, arbitrator):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        credit_appeal_review(appeal=appeal, user=arbitrator, reverse=False)
    assert not Notification.objects.filter(kind=Kind.CREDIT_APPEAL_DECIDED).exists()
    assert callbacks  # queued for after commit, not sent inside the transaction


def test_a_broker_outage_does_not_fail_the_review(
    django_capture_on_commit_callbacks, appeal, arbitrator, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.notify_credit_appeal_decided, "delay", down)
    review(appeal, arbitrator, django_capture_on_commit_callbacks, reverse=True, note="ok")
    appeal.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.REVERSED


def test_opening_the_notice_goes_to_the_credit_page(
    eager, django_capture_on_commit_callbacks, appeal, arbitrator, buyer
):
    review(appeal, arbitrator, django_capture_on_commit_callbacks, reverse=True, note="ok")
    client = Client()
    client.force_login(buyer.user)
    response = client.post(reverse("notification_open", args=[notices(buyer).get().pk]))
    assert response.status_code == 302
    assert response.url == reverse("credit")
    assert notices(buyer).get().read_at is not None
