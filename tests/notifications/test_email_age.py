"""Stale notices are shown in the app but not mailed: a user who just added an address, or
a sweep after a long outage, gets no backlog of old mail."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from notifications import services as notify
from notifications import tasks
from notifications.models import Notification


def _without_addresses(*parties):
    for party in parties:
        party.user.email = ""
        party.user.save(update_fields=["email"])


def test_an_address_added_later_gets_only_recent_notices(eager, dispute, buyer, merchant, settings):
    settings.NOTIFICATION_EMAIL_MAX_AGE = 3600
    _without_addresses(buyer, merchant)
    notify.notifications_for_event(event_id=dispute.events.get(action="submit").pk)
    old = Notification.objects.get(recipient=merchant)

    with time_machine.travel(timezone.now() + timedelta(hours=5), tick=False):
        merchant.user.email = "shop@example.com"
        merchant.user.save(update_fields=["email"])
        assert tasks.sweep_notifications() == 0

    assert mail.outbox == []
    old.refresh_from_db()
    assert (old.email_claimed_at, old.email_sent_at) == (None, None)
    assert old.read_at is None  # still in the app


def test_a_notice_inside_the_cutoff_is_still_mailed_by_the_sweep(
    eager, dispute, merchant, settings
):
    settings.NOTIFICATION_EMAIL_MAX_AGE = 3600
    notify.notifications_for_event(event_id=dispute.events.get(action="submit").pk)

    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        assert tasks.sweep_notifications() == 1

    assert [m.to for m in mail.outbox] == [["shop@example.com"]]


def test_a_notice_made_late_from_an_old_event_is_not_mailed(dispute, settings):
    """The broker was down for hours: the event's notices are made by the sweep now, but the
    news is as old as the event."""
    settings.NOTIFICATION_EMAIL_MAX_AGE = 3600
    event = dispute.events.get(action="submit")

    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert tasks.notify_dispute_event(event.pk) == 0

    assert Notification.objects.filter(event=event).exists()
    assert mail.outbox == []
