"""Which domain moves emit which events, what they carry, and that they reach the receiver."""

import json

import pytest
from django.utils import translation

from arbitration import services
from arbitration.errors import DomainError
from evidence.analysis import analyze_evidence
from evidence.models import Evidence
from webhooks.models import WebhookEvent

from .conftest import verify


@pytest.fixture
def eager_celery(settings):
    """Through Django settings, which Celery reads live and the fixture restores: assigning
    ``app.conf`` directly would pin the value and hide later tests' settings."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _types(platform) -> list[str]:
    return list(
        WebhookEvent.objects.filter(platform=platform).order_by("pk").values_list("type", flat=True)
    )


def test_opening_a_dispute_emits_created_then_updated(dispute, platform):
    created, updated = WebhookEvent.objects.filter(platform=platform).order_by("pk")
    assert (created.type, updated.type) == ("dispute.created", "dispute.updated")
    assert created.payload["id"] == dispute.pk
    assert created.payload["claimed_amount_fen"] == 10000
    assert updated.payload["state"] == "awaiting_merchant"
    assert updated.payload["transition"] == "submit"
    assert updated.payload["previous_state"] == "open"


def test_events_carry_no_personal_data(dispute, platform, buyer):
    for event in WebhookEvent.objects.filter(platform=platform):
        text = json.dumps(event.payload)
        assert buyer.phone not in text
        assert buyer.address not in text
        assert buyer.display_name not in text


def test_offers_emit_created_and_accepted_then_the_decision(dispute, platform, buyer, merchant):
    offer = services.offer_make(dispute=dispute, party=merchant, percent=30)
    services.offer_accept(dispute=dispute, party=buyer)

    assert _types(platform)[2:] == [
        "dispute.updated",
        "offer.created",
        "offer.accepted",
        "dispute.updated",
        "dispute.decided",
    ]
    accepted = WebhookEvent.objects.get(type="offer.accepted")
    assert accepted.payload == {
        "object": "offer",
        "id": offer.pk,
        "dispute": dispute.pk,
        "made_by": "merchant",
        "remedy": "partial_refund",
        "amount_fen": 3000,
        "percent": 30,
        "status": "accepted",
    }
    decided = WebhookEvent.objects.get(type="dispute.decided")
    assert decided.payload["outcome"] == "partial_refund"
    assert decided.payload["amount_fen"] == 3000


def test_an_arbitrators_decision_emits_dispute_decided(dispute, platform, buyer, arbitrator):
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="full_refund", reasoning="Cracked on arrival."
    )
    decided = WebhookEvent.objects.get(platform=platform, type="dispute.decided")
    assert decided.payload == {
        "object": "decision",
        "dispute": dispute.pk,
        "outcome": "full_refund",
        "amount_fen": 10000,
        "source": "arbitrator",
        "state": "decided",
    }


def test_a_rejected_move_emits_nothing(dispute, platform, buyer):
    before = WebhookEvent.objects.count()
    with pytest.raises(DomainError):
        services.offer_accept(dispute=dispute, party=buyer)
    assert WebhookEvent.objects.count() == before


def test_analysis_emits_evidence_analyzed(dispute, platform):
    evidence = Evidence.objects.filter(dispute=dispute).first()
    report = analyze_evidence(evidence.pk)

    event = WebhookEvent.objects.get(platform=platform, type="evidence.analyzed")
    assert event.payload["uid"] == str(evidence.uid)
    assert event.payload["dispute"] == dispute.pk
    assert event.payload["verdict"] == report.verdict
    assert event.payload["analyzer_version"] == report.analyzer_version
    assert event.payload["signals"], "a photo without camera data has at least that signal"
    assert {s["code"] for s in event.payload["signals"]} == set(
        report.signals.values_list("code", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_decision_reaches_the_receiver_signed_after_commit(
    eager_celery, platform, buyer, arbitrator, endpoint, receiver, photo, order
):
    """Through the real on-commit hook and the Celery task, not a direct service call."""
    with translation.override("en"):
        dispute = services.dispute_open(
            order=order,
            buyer=buyer,
            reason="damaged",
            remedy="refund_only",
            description="Cracked.",
            files=[photo],
        )
        services.dispute_escalate(dispute=dispute, party=buyer)
        services.dispute_decide(
            dispute=dispute, user=arbitrator, outcome="no_refund", reasoning="Not convincing."
        )

    received = [json.loads(body)["type"] for _headers, body in receiver.requests]
    assert "dispute.created" in received
    assert "dispute.decided" in received
    assert "evidence.analyzed" in received
    for headers, body in receiver.requests:
        assert verify(headers["Tianping-Signature"], body, endpoint.secret)
