"""Reverse the credit events the abuse detection booked on its own.

Until this release image reuse, a listing photo "damaged" in several claims, an AI listing
photo and refund-only velocity were booked the moment they were detected, without an
arbitrator (and image reuse cost the honest first uploader too). They are now proposals an
arbitrator confirms (``accounts.proposals``). Every such event still counting is reversed:
the row stays on the ledger, stamped with the time and ``REVERSAL_NOTE``; a pending appeal of
it is closed as reversed; each party's score and tier are recomputed from its ledger with the
ledger's arithmetic, and a change of tier is announced as usual (``credit.tier_changed`` to
the platform's endpoints, a notification to the party; the periodic sweeps send both).

Historical models only. The arithmetic is a frozen copy of ``accounts.credit.score_from`` and
``tier_for`` as of this migration (a test checks that they agree).
"""

from django.db import migrations
from django.utils import timezone

# The kinds the detection booked and the source keys its old rule gave them.
AUTOMATIC = {
    "image_reused": "image_reused:",
    "listing_damaged": "listing_damaged:",
    "refund_velocity": "velocity:",
    "listing_ai": "listing_ai:",
}
REVERSAL_NOTE = (
    "Reversed automatically: this event was booked by the abuse detection alone, without an "
    "arbitrator's review. Detected abuse is now proposed to an arbitrator, who confirms or "
    "dismisses it. / 已自动撤销：此记录仅由系统检测自动记入，未经仲裁员审核。"
    "现在检测到的异常须先由仲裁员确认或驳回。"
)
TIER_CHANGED = "credit.tier_changed"


def _counts(event, at) -> bool:
    return event.created_at <= at and (event.reversed_at is None or event.reversed_at > at)


def _weight(event, platform, at) -> float:
    age_days = max((at - event.created_at).total_seconds(), 0.0) / 86400
    return event.points * 0.5 ** (age_days / platform.credit_half_life_days)


def score_from(platform, events, at) -> int:
    total = platform.credit_base + sum(_weight(e, platform, at) for e in events if _counts(e, at))
    return int(total + 0.5) if total >= 0 else -int(-total + 0.5)


def tier_for(platform, score: int) -> str:
    if score < platform.credit_restricted_below:
        return "restricted"
    if score < platform.credit_watch_below:
        return "watch"
    if score >= platform.credit_trusted_from:
        return "trusted"
    return "standard"


def automatic_events(CreditEvent):
    rows = CreditEvent.objects.none()
    for kind, prefix in AUTOMATIC.items():
        rows |= CreditEvent.objects.filter(
            kind=kind,
            source_key__startswith=prefix,
            created_by__isnull=True,
            reversed_at__isnull=True,
        )
    return rows


def _announce(apps, party, old_tier, events, at) -> None:
    WebhookEndpoint = apps.get_model("webhooks", "WebhookEndpoint")
    WebhookEvent = apps.get_model("webhooks", "WebhookEvent")
    WebhookDelivery = apps.get_model("webhooks", "WebhookDelivery")
    Notification = apps.get_model("notifications", "Notification")
    platform = party.platform
    reasons = sorted(
        (e for e in events if _counts(e, at) and e.points),
        key=lambda e: abs(_weight(e, platform, at)),
        reverse=True,
    )[:3]
    event = WebhookEvent.objects.create(
        platform=platform,
        type=TIER_CHANGED,
        payload={
            "party": {"kind": party.kind, "external_id": party.external_id},
            "previous_tier": old_tier,
            "tier": party.credit_tier,
            "score": party.credit_score,
            "reasons": [
                {
                    "kind": e.kind,
                    "reason": e.reason,
                    "points": e.points,
                    "weight": round(_weight(e, platform, at), 1),
                }
                for e in reasons
            ],
        },
    )
    for endpoint in WebhookEndpoint.objects.filter(platform=platform, is_active=True):
        if not endpoint.events or TIER_CHANGED in endpoint.events:
            WebhookDelivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=at)
    Notification.objects.get_or_create(
        recipient=party,
        dedupe_key=f"credit:{party.credit_tier}:{at.isoformat()}",
        defaults={
            "kind": "credit_tier_changed",
            "context": {
                "old_tier": old_tier,
                "new_tier": party.credit_tier,
                "score": party.credit_score,
            },
        },
    )


def reverse_automatic_events(apps, schema_editor, at=None) -> int:
    """Reverse the automatic events; return how many. ``at`` (default: now) is for tests."""
    CreditEvent = apps.get_model("accounts", "CreditEvent")
    CreditAppeal = apps.get_model("accounts", "CreditAppeal")
    Party = apps.get_model("accounts", "Party")
    at = at or timezone.now()
    rows = automatic_events(CreditEvent)
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    party_ids = set(rows.values_list("party_id", flat=True))
    CreditEvent.objects.filter(pk__in=ids).update(reversed_at=at, reversal_note=REVERSAL_NOTE)
    CreditAppeal.objects.filter(event_id__in=ids, status="pending").update(
        status="reversed", reviewed_at=at, review_note=REVERSAL_NOTE
    )
    for party in Party.objects.filter(pk__in=party_ids).select_related("platform").order_by("pk"):
        events = list(CreditEvent.objects.filter(party=party))
        old_tier = party.credit_tier
        party.credit_score = score_from(party.platform, events, at)
        party.credit_tier = tier_for(party.platform, party.credit_score)
        party.credit_scored_at = at
        party.save(update_fields=["credit_score", "credit_tier", "credit_scored_at"])
        if party.credit_tier != old_tier:
            _announce(apps, party, old_tier, events, at)
    return len(ids)


def forwards(apps, schema_editor):
    reverse_automatic_events(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_credit_proposals_cross_platform_matches"),
        ("notifications", "0003_credit_proposal_reviewed"),
        ("webhooks", "0002_more_event_types"),
    ]

    # Backwards there is nothing to restore: an event booked without an arbitrator is not put
    # back on anyone's score.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
