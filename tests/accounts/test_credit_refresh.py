"""Decay between events: the hourly refresh lets old marks fade and tiers move back up."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from accounts import credit
from accounts.models import CreditEvent, CreditTier
from accounts.tasks import refresh_credit_scores
from tests.factories import PartyFactory
from webhooks.models import EventType, WebhookEvent

Kind = CreditEvent.Kind


def test_a_watch_tier_buyer_returns_to_standard_after_enough_half_lives(buyer, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        credit.credit_event_record(
            party=buyer, kind=Kind.EVIDENCE_FABRICATED, reason="painted crack", source_key="e:1"
        )
    buyer.refresh_from_db()
    assert (buyer.credit_score, buyer.credit_tier) == (60, CreditTier.WATCH)
    half_life = buyer.platform.credit_half_life_days

    with time_machine.travel(start + timedelta(days=half_life / 2), tick=False):
        assert refresh_credit_scores() == 0  # -40 weighs -28 after half a half-life
    buyer.refresh_from_db()
    assert (buyer.credit_score, buyer.credit_tier) == (72, CreditTier.WATCH)

    later = start + timedelta(days=2 * half_life)
    with time_machine.travel(later, tick=False):
        refresh_credit_scores()
    buyer.refresh_from_db()
    assert (buyer.credit_score, buyer.credit_tier) == (90, CreditTier.STANDARD)
    assert buyer.credit_scored_at == later
    assert buyer.credit_score == credit.credit_score_at(buyer, buyer.credit_scored_at)
    changes = WebhookEvent.objects.filter(type=EventType.CREDIT_TIER_CHANGED).order_by("pk")
    assert [(c.payload["previous_tier"], c.payload["tier"]) for c in changes] == [
        ("standard", "watch"),
        ("watch", "standard"),
    ]


def test_the_refresh_sends_the_tier_signal_for_notifications(
    buyer, django_capture_on_commit_callbacks
):
    credit.credit_event_record(
        party=buyer,
        kind=Kind.EVIDENCE_FABRICATED,
        reason="x",
        source_key="e:1",
        at=timezone.now() - timedelta(days=3 * buyer.platform.credit_half_life_days),
    )
    buyer.refresh_from_db()
    assert buyer.credit_tier == CreditTier.STANDARD  # booked long ago: already faded
    received = []

    def listener(sender, **kwargs):
        received.append((kwargs["party"].pk, kwargs["old_tier"], kwargs["new_tier"]))

    credit.credit_tier_changed.connect(listener)
    try:
        # Pretend the stored value is stale (as if written before the decay)
        type(buyer).objects.filter(pk=buyer.pk).update(credit_score=60, credit_tier="watch")
        with django_capture_on_commit_callbacks(execute=True):
            assert refresh_credit_scores() == 1
    finally:
        credit.credit_tier_changed.disconnect(listener)
    assert received == [(buyer.pk, "watch", "standard")]


def test_the_refresh_goes_in_batches_and_skips_parties_without_events(
    buyer, platform, django_assert_max_num_queries
):
    others = [PartyFactory(platform=platform) for _ in range(5)]
    for i, party in enumerate([buyer, *others[:4]]):
        credit.credit_event_record(
            party=party, kind=Kind.CLAIM_DENIED, reason="x", source_key=f"d:{i}"
        )
    untouched = others[4]
    untouched.refresh_from_db()
    with django_assert_max_num_queries(20):
        credit.credit_refresh_all(batch=2)
    untouched.refresh_from_db()
    assert untouched.credit_scored_at is None
    buyer.refresh_from_db()
    assert buyer.credit_score == 92


def test_the_refresh_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-credit"]
    assert entry["task"] == "accounts.tasks.refresh_credit_scores"
    assert entry["schedule"] == 3600
