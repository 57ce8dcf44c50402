"""The credit ledger: its arithmetic and its one write path.

A party's score is never edited by hand. It is ``platform.credit_base`` plus the sum of the
party's unreversed ``CreditEvent`` points, each weighed by ``0.5 ** (age / half_life)``, so an
old mistake fades and a recent one weighs fully. ``Party.credit_score``/``credit_tier`` cache
that value as of ``credit_scored_at``; ``credit_score_at(party, party.credit_scored_at)``
recomputed from the ledger always gives the cached number back.

Every event goes through ``credit_event_record`` (idempotent per party, kind and cause) and every
reversal through ``credit_event_reverse``; both refresh the cache and, when the tier moves,
emit ``credit.tier_changed`` to the platform and send ``credit_tier_changed`` for in-app and
e-mail notifications.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext

from arbitration.resilience import each
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .models import CreditEvent, CreditTier, Party, Platform

Kind = CreditEvent.Kind

# What each kind of event costs or earns when the caller gives no points of its own. A
# fabricated photo costs far more than a lost claim: losing a claim in good faith is normal.
DEFAULT_POINTS: dict[str, int] = {
    Kind.CLAIM_UPHELD: 2,
    Kind.CLAIM_DENIED: -8,
    Kind.EVIDENCE_FABRICATED: -40,
    Kind.REPORT_UPHELD: -15,
    Kind.IMAGE_REUSED: -25,
    Kind.LISTING_DAMAGED_REPEATEDLY: -20,
    Kind.REFUND_ONLY_VELOCITY: -10,
    Kind.LISTING_AI: -20,
    Kind.NOT_AS_DESCRIBED_LOST: -10,
    Kind.ADJUSTMENT: 0,
}

# Sent after commit when a party's tier moves: kwargs party, old_tier, new_tier, score.
credit_tier_changed = Signal()
# Sent after commit when an arbitrator decides a credit appeal: kwargs appeal.
credit_appeal_decided = Signal()


@dataclass(frozen=True)
class Reason:
    """One line of "why is my score what it is": an event and what it weighs today."""

    event_id: int
    kind: str
    label: str
    reason: str
    points: int
    weight: float
    created_at: datetime


def reason_of(template: str, **params) -> dict:
    """Keyword arguments for ``credit_event_record`` from an untranslated message (marked with
    ``gettext_noop``) and its values: the text in today's language plus what it takes to show
    it in each reader's (``CreditEvent.reason_text``). Values named ``*_label`` are msgids."""
    shown = {k: gettext(v) if k.endswith("_label") else v for k, v in params.items()}
    return {
        "reason": gettext(template) % shown,
        "reason_template": template,
        "reason_params": params,
    }


def decay(points: int, created_at: datetime, at: datetime, half_life_days: int) -> float:
    """What ``points`` booked at ``created_at`` weigh at ``at``."""
    age_days = max((at - created_at).total_seconds(), 0.0) / 86400
    return points * 0.5 ** (age_days / half_life_days)


def _counts(event: CreditEvent, at: datetime) -> bool:
    return event.created_at <= at and (event.reversed_at is None or event.reversed_at > at)


def score_from(platform: Platform, events: Iterable[CreditEvent], at: datetime) -> int:
    """The score the ledger ``events`` give at ``at``; rounded half away from zero."""
    total = platform.credit_base + sum(
        decay(e.points, e.created_at, at, platform.credit_half_life_days)
        for e in events
        if _counts(e, at)
    )
    return int(total + 0.5) if total >= 0 else -int(-total + 0.5)


def tier_for(platform: Platform, score: int) -> str:
    """The tier a score falls in, by the platform's thresholds."""
    if score < platform.credit_restricted_below:
        return CreditTier.RESTRICTED
    if score < platform.credit_watch_below:
        return CreditTier.WATCH
    if score >= platform.credit_trusted_from:
        return CreditTier.TRUSTED
    return CreditTier.STANDARD


def credit_score_at(party: Party, at: datetime | None = None) -> int:
    """Recompute a party's score from its ledger, as of ``at`` (default: now)."""
    at = at or timezone.now()
    return score_from(party.platform, party.credit_events.all(), at)


def top_reasons(party: Party, *, at: datetime | None = None, limit: int = 3) -> list[Reason]:
    """The events that move the score most today, largest effect first."""
    at = at or timezone.now()
    half_life = party.platform.credit_half_life_days
    reasons = [
        Reason(
            event_id=e.pk,
            kind=e.kind,
            label=str(e.get_kind_display()),
            reason=e.reason_text,
            points=e.points,
            weight=round(decay(e.points, e.created_at, at, half_life), 1),
            created_at=e.created_at,
        )
        for e in party.credit_events.all()
        if _counts(e, at) and e.points
    ]
    reasons.sort(key=lambda r: abs(r.weight), reverse=True)
    return reasons[:limit]


def score_history(party: Party, *, at: datetime | None = None) -> list[tuple[datetime, int]]:
    """The score right after each event (and reversal) and today: the points of a chart."""
    at = at or timezone.now()
    events = list(party.credit_events.all())
    moments = sorted(
        {e.created_at for e in events} | {e.reversed_at for e in events if e.reversed_at} | {at}
    )
    return [(m, score_from(party.platform, events, m)) for m in moments if m <= at]


@transaction.atomic
def credit_refresh(party: Party, *, at: datetime | None = None) -> Party:
    """Recompute and store a party's score and tier; announce a change of tier after commit."""
    at = at or timezone.now()
    party = (
        Party.objects.select_for_update(of=("self",)).select_related("platform").get(pk=party.pk)
    )
    old_tier = party.credit_tier
    party.credit_score = credit_score_at(party, at)
    party.credit_tier = tier_for(party.platform, party.credit_score)
    party.credit_scored_at = at
    party.save(update_fields=["credit_score", "credit_tier", "credit_scored_at"])
    if party.credit_tier != old_tier:
        _announce_tier_change(party, old_tier)
    return party


REFRESH_BATCH = 500


def credit_refresh_all(
    *, at: datetime | None = None, batch: int = REFRESH_BATCH, platform: Platform | None = None
) -> int:
    """Re-apply decay to the stored score of every party with a ledger; return how many
    changed tier. Decay moves scores between events, so a watch tier can lapse to standard.

    With ``platform``, every party of that platform instead, with a ledger or not: its base,
    half-life or thresholds changed, which moves even a party that never had an event.

    Parties go in batches by id: one transaction each locks the batch (in id order, as every
    other writer locks one party), reads its events in one query and writes it in one.
    """
    at = at or timezone.now()
    if platform is None:
        platforms = {p.pk: p for p in Platform.objects.all()}
        parties = CreditEvent.objects.order_by("party_id").values_list("party_id", flat=True)
        parties, key = parties.distinct(), "party_id__gt"
    else:
        platforms = {platform.pk: platform}
        parties = (
            Party.objects.filter(platform=platform).order_by("pk").values_list("pk", flat=True)
        )
        key = "pk__gt"
    return each(
        _batches(parties, key, batch),
        lambda ids: _refresh_batch(ids, platforms, at),
        what="Credit refresh batch",
    )


def _batches(parties, key: str, batch: int):
    """Lists of party ids in id order; a batch that fails to refresh does not stop the next."""
    last = 0
    while ids := list(parties.filter(**{key: last})[:batch]):
        yield ids
        last = ids[-1]


@transaction.atomic
def _refresh_batch(ids: list[int], platforms: dict[int, Platform], at: datetime) -> int:
    parties = list(
        Party.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .prefetch_related(Prefetch("credit_events", queryset=CreditEvent.objects.order_by()))
    )
    moved = []
    for party in parties:
        party.platform = platforms[party.platform_id]
        old_tier = party.credit_tier
        party.credit_score = score_from(party.platform, party.credit_events.all(), at)
        party.credit_tier = tier_for(party.platform, party.credit_score)
        party.credit_scored_at = at
        if party.credit_tier != old_tier:
            moved.append((party, old_tier))
    Party.objects.bulk_update(parties, ["credit_score", "credit_tier", "credit_scored_at"])
    for party, old_tier in moved:
        _announce_tier_change(party, old_tier)
    return len(moved)


def _announce_tier_change(party: Party, old_tier: str) -> None:
    webhooks_emit(
        platform=party.platform,
        type=EventType.CREDIT_TIER_CHANGED,
        data={
            "party": {"kind": party.kind, "external_id": party.external_id},
            "previous_tier": old_tier,
            "tier": party.credit_tier,
            "score": party.credit_score,
            "reasons": [
                {"kind": r.kind, "reason": r.reason, "points": r.points, "weight": r.weight}
                for r in top_reasons(party)
            ],
        },
    )
    transaction.on_commit(
        lambda: credit_tier_changed.send(
            sender=Party,
            party=party,
            old_tier=old_tier,
            new_tier=party.credit_tier,
            score=party.credit_score,
        )
    )


def credit_event_record(
    *,
    party: Party,
    kind: str,
    reason: str,
    source_key: str,
    points: int | None = None,
    dispute=None,
    evidence=None,
    user=None,
    at: datetime | None = None,
    reason_template: str = "",
    reason_params: dict | None = None,
) -> tuple[CreditEvent, bool]:
    """Book one event on a party's ledger, once per (party, kind, cause); refresh the score.

    Returns ``(event, created)``: a second call for the same cause returns the first row.
    ``reason_template``/``reason_params`` (see ``reason_of``) let each reader see the reason
    in their own language; without them ``reason`` is shown as written.
    """
    fields = {
        "points": DEFAULT_POINTS[kind] if points is None else points,
        "reason": reason,
        "reason_template": reason_template,
        "reason_params": reason_params or {},
        "dispute": dispute,
        "evidence": evidence,
        "created_by": user,
        "created_at": at or timezone.now(),
    }
    try:
        with transaction.atomic():
            event, created = CreditEvent.objects.get_or_create(
                party=party, kind=kind, source_key=source_key, defaults=fields
            )
    except IntegrityError:  # a concurrent caller booked the same cause first
        event, created = (
            CreditEvent.objects.get(party=party, kind=kind, source_key=source_key),
            False,
        )
    if created:
        credit_refresh(party)
    return event, created


@transaction.atomic
def credit_event_reverse(*, event: CreditEvent, user, note: str) -> CreditEvent:
    """Strike an event from the score (the row stays, stamped, for the audit trail)."""
    event = CreditEvent.objects.select_for_update().get(pk=event.pk)
    if event.reversed_at is None:
        event.reversed_at = timezone.now()
        event.reversed_by = user
        event.reversal_note = note
        event.save(update_fields=["reversed_at", "reversed_by", "reversal_note"])
        credit_refresh(event.party)
    return event
