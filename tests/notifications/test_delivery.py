"""E-mail delivery: sent from Celery after commit, never twice per event and recipient, even
when the task dies and runs again."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.credit import credit_event_record
from arbitration import services
from notifications import services as notify
from notifications import tasks
from notifications.models import Notification, NotifiedEvent


class Crash(Exception):
    """Stands for a worker dying mid-task."""


def submit_event(dispute):
    return dispute.events.get(action="submit")


def test_an_event_is_notified_after_commit_through_celery(
    eager, django_capture_on_commit_callbacks, order, buyer, merchant
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = services.dispute_open(
            order=order,
            buyer=buyer,
            reason="not_received",
            remedy="refund_only",
            description="Never arrived.",
        )
    assert [m.to for m in mail.outbox] == [["shop@example.com"]]
    message = mail.outbox[0]
    assert dispute.reference in message.subject
    assert f"/disputes/{dispute.pk}/" in message.body
    assert Notification.objects.get(recipient=merchant).email_sent_at is not None


def test_nothing_is_queued_when_the_transaction_rolls_back(
    eager, django_capture_on_commit_callbacks, dispute, merchant
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            from django.db import transaction

            with transaction.atomic():
                services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)
                raise Crash
        except Crash:
            pass
    assert callbacks == []
    assert mail.outbox == []


def test_running_the_task_twice_sends_once(dispute):
    event = submit_event(dispute)
    assert tasks.notify_dispute_event(event.pk) == 1
    assert tasks.notify_dispute_event(event.pk) == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_a_task_killed_after_creating_the_rows_sends_once_when_rerun(dispute, monkeypatch):
    event = submit_event(dispute)
    real = notify.emails_pending

    def die(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(notify, "emails_pending", die)
    with pytest.raises(Crash):
        tasks.notify_dispute_event(event.pk)
    assert Notification.objects.count() == 1
    assert mail.outbox == []

    monkeypatch.setattr(notify, "emails_pending", real)
    tasks.notify_dispute_event(event.pk)
    tasks.notify_dispute_event(event.pk)
    assert len(mail.outbox) == 1


def test_a_send_that_fails_is_retried_and_then_sent_once(dispute, monkeypatch):
    event = submit_event(dispute)
    real = notify.send_email
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise ConnectionRefusedError("SMTP server down")
        real(**kwargs)

    monkeypatch.setattr(notify, "send_email", flaky)
    with pytest.raises(ConnectionRefusedError):
        notify.notification_email_send(
            notification_id=notify.notifications_for_event(event_id=event.pk)[0]
        )
    row = Notification.objects.get()
    assert row.email_claimed_at is None  # the claim was given back
    assert mail.outbox == []
    # the task's own retry (acks_late + autoretry on OSError) reruns it
    result = tasks.notify_dispute_event.apply(args=[event.pk])
    assert result.successful()
    tasks.notify_dispute_event(event.pk)
    assert len(mail.outbox) == 1
    assert len(calls) == 2


def test_a_task_killed_after_sending_does_not_send_again(dispute, monkeypatch):
    """The worker dies between handing the mail over and recording it: the claim stays, so a
    rerun (or the sweep) never sends a duplicate."""
    event = submit_event(dispute)
    monkeypatch.setattr(notify, "_confirm_sent", lambda pk: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        tasks.notify_dispute_event(event.pk)
    assert len(mail.outbox) == 1
    monkeypatch.undo()
    tasks.notify_dispute_event(event.pk)
    later = timezone.now() + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        tasks.sweep_notifications()
        assert notify.emails_pending(grace=notify.SWEEP_GRACE) == []
    assert len(mail.outbox) == 1


def test_two_recipients_one_crash_in_between_each_get_exactly_one(dispute, merchant, monkeypatch):
    services.dispute_escalate(dispute=dispute)  # the system escalates: both sides are told
    event = dispute.events.get(action="escalate")
    real = notify.send_email
    sent = []

    def crash_second(**kwargs):
        if len(sent) == 1:
            raise Crash
        sent.append(kwargs["to"])
        real(**kwargs)

    monkeypatch.setattr(notify, "send_email", crash_second)
    with pytest.raises(Crash):
        tasks.notify_dispute_event(event.pk)
    monkeypatch.setattr(notify, "send_email", real)
    tasks.notify_dispute_event(event.pk)
    tasks.notify_dispute_event(event.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["lilei@example.com", "shop@example.com"]


def test_the_sweep_picks_up_events_whose_task_never_ran(dispute, monkeypatch):
    """The broker was down at commit: no task ran, the sweep notices and queues it."""
    assert not NotifiedEvent.objects.exists()
    queued = []
    monkeypatch.setattr(tasks.notify_dispute_event, "delay", lambda pk: queued.append(pk))
    assert tasks.sweep_notifications() == 0  # too fresh: its own task may still come
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        tasks.sweep_notifications()
    assert queued == [submit_event(dispute).pk]  # only events that notify anyone
    for pk in queued:
        tasks.notify_dispute_event(pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        queued.clear()
        assert tasks.sweep_notifications() == 0
    assert len(mail.outbox) == 1


def test_the_sweep_sends_e_mails_left_unsent(dispute, monkeypatch):
    event = submit_event(dispute)
    notify.notifications_for_event(event_id=event.pk)  # rows made, mail never sent
    sent = []
    monkeypatch.setattr(tasks.send_notification_email, "delay", lambda pk: sent.append(pk))
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        tasks.sweep_notifications()
    assert sent == [Notification.objects.get().pk]
    tasks.send_notification_email(sent[0])
    tasks.send_notification_email(sent[0])
    assert len(mail.outbox) == 1


def test_stale_notifications_are_not_mailed_days_later(dispute):
    notify.notifications_for_event(event_id=submit_event(dispute).pk)
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert notify.emails_pending(grace=notify.SWEEP_GRACE) == []


def test_the_email_is_in_the_default_language(dispute, settings):
    settings.LANGUAGE_CODE = "en"
    tasks.notify_dispute_event(submit_event(dispute).pk)
    assert mail.outbox[0].subject == f"New dispute {dispute.reference}"
    assert "Answer by" in mail.outbox[0].body
    assert "(Beijing time)" in mail.outbox[0].body


def test_a_credit_tier_change_notifies_that_party(
    eager, django_capture_on_commit_callbacks, buyer, platform
):
    with django_capture_on_commit_callbacks(execute=True):
        credit_event_record(
            party=buyer, kind="evidence_fabricated", reason="Edited photo", source_key="t-1"
        )
    buyer.refresh_from_db()
    note = Notification.objects.get(recipient=buyer, kind="credit_tier_changed")
    assert note.context["new_tier"] == buyer.credit_tier
    assert note.context["old_tier"] == "standard"
    assert [m.to for m in mail.outbox] == [["lilei@example.com"]]


def test_a_broker_outage_does_not_fail_the_credit_change(
    django_capture_on_commit_callbacks, buyer, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.notify_credit_tier_changed, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        credit_event_record(
            party=buyer, kind="evidence_fabricated", reason="Edited photo", source_key="t-2"
        )
    buyer.refresh_from_db()
    assert buyer.credit_tier != "standard"
