"""The data migration that reverses what the abuse detection booked on its own: the rows stay,
stamped with why; scores and tiers are recomputed by the ledger's arithmetic; what an
arbitrator decided is left alone."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts import credit
from accounts.models import CreditAppeal, CreditEvent, CreditTier
from accounts.proposals import credit_proposal_make, credit_proposal_review
from accounts.services import credit_appeal_file
from notifications.models import Notification
from tests.factories import PartyFactory
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

migration = importlib.import_module("accounts.migrations.0007_reverse_automatic_credit_events")
Kind = CreditEvent.Kind
BEFORE = "0006_credit_proposals_cross_platform_matches"
AFTER = "0007_reverse_automatic_credit_events"


def booked(party, kind, key, *, user=None, points=None, days_ago=0):
    """An event as the old sources booked it (no arbitrator) or as an arbitrator did."""
    event, _created = credit.credit_event_record(
        party=party,
        kind=kind,
        reason=f"{kind} ({key})",
        source_key=key,
        user=user,
        points=points,
        at=timezone.now() - timedelta(days=days_ago),
    )
    return event


def test_it_reverses_the_automatic_events_and_recomputes_scores_and_tiers(
    platform, buyer, outsider, merchant, arbitrator
):
    endpoint = WebhookEndpoint.objects.create(platform=platform, url="https://p.example/h")
    reused = booked(buyer, Kind.IMAGE_REUSED, "image_reused:5", days_ago=3)
    velocity = booked(outsider, Kind.REFUND_ONLY_VELOCITY, "velocity:9", days_ago=10)
    ai = booked(merchant, Kind.LISTING_AI, "listing_ai:abc")
    damaged = booked(outsider, Kind.LISTING_DAMAGED_REPEATEDLY, "listing_damaged:def")
    denied = booked(buyer, Kind.CLAIM_DENIED, "decision:1", days_ago=3)
    fabricated = booked(outsider, Kind.EVIDENCE_FABRICATED, "decision:2:evidence:3")
    proposal, _ = credit_proposal_make(
        party=merchant, kind=Kind.IMAGE_REUSED, source_key="image_reused:77", basis={}, reason="r"
    )
    confirmed = credit_proposal_review(proposal=proposal, user=arbitrator, confirm=True).event
    appeal = credit_appeal_file(party=buyer, event=reused, statement="My own photo.")
    buyer.refresh_from_db()
    assert buyer.credit_tier == CreditTier.WATCH  # 100 − 25 − 8, three days ago

    at = timezone.now()
    assert migration.reverse_automatic_events(apps, None, at=at) == 4

    for event in (reused, velocity, ai, damaged):
        event.refresh_from_db()
        assert (event.reversed_at, event.reversal_note) == (at, migration.REVERSAL_NOTE)
        assert event.reversed_by is None
    for event in (denied, fabricated, confirmed):
        event.refresh_from_db()
        assert event.reversed_at is None
    assert "without an arbitrator" in migration.REVERSAL_NOTE
    assert "仲裁员" in migration.REVERSAL_NOTE
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reviewed_at) == (CreditAppeal.Status.REVERSED, at)

    for party in (buyer, outsider, merchant):
        party.refresh_from_db()
        assert party.credit_scored_at == at
        assert party.credit_score == credit.credit_score_at(party, at)
        assert party.credit_tier == credit.tier_for(party.platform, party.credit_score)
    assert (buyer.credit_score, buyer.credit_tier) == (92, CreditTier.STANDARD)

    # the buyer's tier moved back: told to the platform and the buyer as usual
    (sent,) = WebhookEvent.objects.filter(
        type=EventType.CREDIT_TIER_CHANGED, payload__party__external_id=buyer.external_id
    ).order_by("-pk")[:1]
    assert (sent.payload["previous_tier"], sent.payload["tier"]) == ("watch", "standard")
    assert [r["kind"] for r in sent.payload["reasons"]] == [Kind.CLAIM_DENIED]
    assert WebhookDelivery.objects.filter(event=sent, endpoint=endpoint).exists()
    note = Notification.objects.filter(recipient=buyer, kind="credit_tier_changed").latest("pk")
    assert note.context == {"old_tier": "watch", "new_tier": "standard", "score": 92}

    # a second run finds nothing left to reverse
    assert migration.reverse_automatic_events(apps, None) == 0


def test_it_does_nothing_on_an_empty_database(db):
    assert migration.reverse_automatic_events(apps, None) == 0
    assert not WebhookEvent.objects.exists()


def test_its_arithmetic_is_the_ledgers(platform):
    party = PartyFactory(platform=platform)
    for days, points in ((400, -40), (90, -25), (30, 2), (1, -8)):
        booked(party, Kind.ADJUSTMENT, f"adj:{days}", points=points, days_ago=days)
    events = list(party.credit_events.all())
    for days in (0, 10, 100, 1000):
        at = timezone.now() + timedelta(days=days)
        score = credit.score_from(platform, events, at)
        assert migration.score_from(platform, events, at) == score
        assert migration.tier_for(platform, score) == credit.tier_for(platform, score)


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_through_the_executor(platform, buyer):
    """Unapplied and applied again by Django's own executor, on the test database's engine."""
    reused = booked(buyer, Kind.IMAGE_REUSED, "image_reused:1")
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", BEFORE)])
    executor.loader.build_graph()
    executor.migrate([("accounts", AFTER)])
    # the later migrations of every app back, or the next tests meet an old schema
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    reused.refresh_from_db()
    buyer.refresh_from_db()
    assert reused.reversal_note == migration.REVERSAL_NOTE
    assert (buyer.credit_score, buyer.credit_tier) == (100, CreditTier.STANDARD)
