"""Reminders before an evidence request's due time, on a frozen clock: to the side asked, at
the platform's reminder windows, once per (request, window), and not once it is answered."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from arbitration import services
from arbitration.services import requests
from notifications import messages, tasks
from notifications.models import Notification
from notifications.reminders import deadline_reminders_send
from tests.conftest import jpeg_upload
from webhooks.models import EventType, WebhookEvent

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
DUE = T0 + 48 * H  # the request's due time
Kind = Notification.Kind


def at(moment, call, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return call(*args, **kwargs)


@pytest.fixture
def review(dispute, buyer):
    return at(T0, services.dispute_escalate, dispute=dispute, party=buyer)


@pytest.fixture
def request_(review, arbitrator):
    """At T0 the arbitrator asks the merchant for the packing video, due in 48 h."""
    return at(
        T0,
        requests.evidence_request,
        dispute=review,
        user=arbitrator,
        side="merchant",
        what="The packing video.",
        due_at=DUE,
    )


def reminders():
    return Notification.objects.filter(kind=Kind.DEADLINE_APPROACHING).order_by("pk")


def sweep(moment):
    return at(moment, deadline_reminders_send)


def test_the_side_asked_is_reminded_24_and_2_hours_before(request_, merchant):
    assert sweep(DUE - 24 * H - timedelta(minutes=1)) == []
    assert len(sweep(DUE - 24 * H)) == 1
    assert sweep(DUE - 23 * H) == []  # not twice
    assert len(sweep(DUE - 2 * H)) == 1
    assert sweep(DUE - timedelta(minutes=10)) == []
    assert sweep(DUE + H) == []  # past due: lapsed, nothing to remind
    assert [(n.recipient, n.context["hours"]) for n in reminders()] == [
        (merchant, 24),
        (merchant, 2),
    ]
    first = reminders().first()
    assert first.dispute_id == request_.dispute_id
    assert (first.context["request"], first.context["what"]) == (request_.pk, "The packing video.")
    assert first.context["due_at"] == DUE.isoformat()


def test_a_late_sweep_sends_only_the_smallest_window_reached(request_):
    assert len(sweep(DUE - H)) == 1
    assert [n.context["hours"] for n in reminders()] == [2]


def test_the_platform_webhook_carries_the_request(request_, platform):
    sweep(DUE - 24 * H)
    event = WebhookEvent.objects.get(platform=platform, type=EventType.DEADLINE_APPROACHING)
    assert event.payload["hours_before"] == 24
    assert event.payload["evidence_request"]["id"] == request_.pk
    assert event.payload["evidence_request"]["side"] == "merchant"


def test_an_answered_request_is_not_reminded(request_, review, merchant):
    at(
        T0 + H,
        services.party_add_evidence,
        dispute=review,
        party=merchant,
        files=[jpeg_upload("video-still.jpg", color=(20, 20, 200))],
        user=merchant.user,
    )
    assert sweep(DUE - 2 * H) == []
    assert not reminders().exists()


def test_no_reminders_when_the_platform_has_none(request_, platform):
    platform.deadline_reminder_hours = []
    platform.save(update_fields=["deadline_reminder_hours"])
    assert sweep(DUE - H) == []


def test_the_reminder_reads_as_an_evidence_request_and_is_emailed_once(eager, request_, settings):
    settings.LANGUAGE_CODE = "en"
    mail.outbox.clear()
    with time_machine.travel(DUE - 2 * H, tick=False):
        assert tasks.remind_deadlines() == 1
        assert tasks.remind_deadlines() == 0
    assert [m.to for m in mail.outbox] == [["shop@example.com"]]
    assert "The packing video." in mail.outbox[0].body
    with translation.override("en"):
        text = messages.body(reminders().get())
    assert text.startswith("The arbitrator is still waiting for the evidence asked of you on")
