"""The credit ledger's arithmetic: decay, recomputation, tiers, idempotency, reversal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import credit
from accounts.models import CreditEvent, CreditTier
from webhooks.models import EventType, WebhookEvent

Kind = CreditEvent.Kind


def test_points_halve_after_one_half_life(buyer):
    now = timezone.now()
    half_life = buyer.platform.credit_half_life_days
    assert credit.decay(-40, now - timedelta(days=half_life), now, half_life) == pytest.approx(-20)
    assert credit.decay(-40, now - timedelta(days=2 * half_life), now, half_life) == pytest.approx(
        -10
    )
    assert credit.decay(-40, now, now, half_life) == -40


def test_recomputing_from_the_ledger_gives_the_stored_score(buyer):
    now = timezone.now()
    for i, (kind, days_ago) in enumerate(
        [(Kind.CLAIM_DENIED, 400), (Kind.EVIDENCE_FABRICATED, 90), (Kind.CLAIM_UPHELD, 3)]
    ):
        credit.credit_event_record(
            party=buyer,
            kind=kind,
            reason="test",
            source_key=f"test:{i}",
            at=now - timedelta(days=days_ago),
        )
    buyer.refresh_from_db()
    assert buyer.credit_score == credit.credit_score_at(buyer, buyer.credit_scored_at)
    # base 100, -8 after ~2.2 half-lives, -40 after half a half-life, +2 fresh
    expected = 100 - 8 * 0.5 ** (400 / 180) - 40 * 0.5 ** (90 / 180) + 2 * 0.5 ** (3 / 180)
    assert buyer.credit_score == round(expected)


def test_tiers_follow_the_platform_thresholds(platform):
    assert credit.tier_for(platform, 120) == CreditTier.TRUSTED
    assert credit.tier_for(platform, 110) == CreditTier.TRUSTED
    assert credit.tier_for(platform, 100) == CreditTier.STANDARD
    assert credit.tier_for(platform, 79) == CreditTier.WATCH
    assert credit.tier_for(platform, 49) == CreditTier.RESTRICTED


def test_the_same_cause_books_once(buyer):
    first, created = credit.credit_event_record(
        party=buyer, kind=Kind.CLAIM_DENIED, reason="x", source_key="decision:1"
    )
    again, created_again = credit.credit_event_record(
        party=buyer, kind=Kind.CLAIM_DENIED, reason="x", source_key="decision:1"
    )
    assert created and not created_again and first.pk == again.pk
    buyer.refresh_from_db()
    assert buyer.credit_score == 92


def test_a_tier_change_is_announced_and_a_reversal_restores_it(buyer, arbitrator):
    event, _ = credit.credit_event_record(
        party=buyer, kind=Kind.EVIDENCE_FABRICATED, reason="AI stain", source_key="e:1"
    )
    buyer.refresh_from_db()
    assert (buyer.credit_score, buyer.credit_tier) == (60, CreditTier.WATCH)
    announced = WebhookEvent.objects.get(type=EventType.CREDIT_TIER_CHANGED)
    assert announced.payload["tier"] == "watch" and announced.payload["previous_tier"] == "standard"

    credit.credit_event_reverse(event=event, user=arbitrator, note="camera original shown")
    buyer.refresh_from_db()
    assert (buyer.credit_score, buyer.credit_tier) == (100, CreditTier.STANDARD)
    assert WebhookEvent.objects.filter(type=EventType.CREDIT_TIER_CHANGED).count() == 2


def test_top_reasons_put_the_heaviest_first(buyer):
    now = timezone.now()
    credit.credit_event_record(
        party=buyer, kind=Kind.CLAIM_UPHELD, reason="won", source_key="a", at=now
    )
    credit.credit_event_record(
        party=buyer, kind=Kind.REPORT_UPHELD, reason="reported", source_key="b", at=now
    )
    reasons = credit.top_reasons(buyer)
    assert [r.kind for r in reasons] == [Kind.REPORT_UPHELD, Kind.CLAIM_UPHELD]
    assert reasons[0].weight == -15
