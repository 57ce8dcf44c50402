"""Use cases of the accounts app."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration import lifecycle
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import DisputeEvent

from . import credit, credit_sources
from .models import ApiKey, CreditAppeal, CreditEvent, MerchantReport, Party, Platform

KEY_PREFIX = "tp"
APPEAL_STATEMENT_MAX = 2000
APPEAL_NOTE_MAX = 2000
ADJUSTMENT_MAX = 50  # larger corrections go through the events that caused them
# last_used_at is a hint for the console, not an audit log: write it at most once a minute.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@transaction.atomic
def merchant_report_review(
    *, report: MerchantReport, user, upheld: bool, note: str = ""
) -> MerchantReport:
    """An arbitrator upholds or rejects a merchant's report of a buyer, once.

    The note goes into the dispute's audit trail; an upheld report costs the buyer credit
    (``credit_sources.credit_for_report``).
    """
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can review a merchant report."))
    report = MerchantReport.objects.select_for_update().select_related("dispute").get(pk=report.pk)
    if report.status != MerchantReport.Status.PENDING:
        raise DomainError(
            _("This report has already been reviewed (%(status)s).")
            % {"status": report.get_status_display()},
            code="already_reviewed",
        )
    report.status = MerchantReport.Status.UPHELD if upheld else MerchantReport.Status.REJECTED
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    lifecycle.record(
        report.dispute,
        "report_reviewed",
        actor=DisputeEvent.Actor.ARBITRATOR,
        user=user,
        payload={"report": report.pk, "status": report.status, "note": note.strip()},
    )
    credit_sources.credit_for_report(report)
    return report


@transaction.atomic
def credit_appeal_file(
    *, party: Party, event: CreditEvent, statement: str, user=None
) -> CreditAppeal:
    """A party contests one event of its own ledger, with a statement an arbitrator reads.

    An event is appealed once: while an appeal is pending, or after one was heard, a new
    one is refused, so a confirmed event cannot be re-litigated by repetition. Only events
    that cost points can be appealed.
    """
    if event.party_id != party.pk or (user is not None and party.user_id != user.pk):
        raise NotAllowed(_("You can only appeal events of your own credit record."))
    statement = (statement or "").strip()
    if not statement:
        raise DomainError(
            _("Say why this event is wrong: the arbitrator decides on your statement."),
            code="statement_required",
            field="statement",
        )
    if len(statement) > APPEAL_STATEMENT_MAX:
        raise DomainError(
            _("Keep the statement under %(max)d characters.") % {"max": APPEAL_STATEMENT_MAX},
            code="statement_too_long",
            field="statement",
        )
    event = CreditEvent.objects.select_for_update().get(pk=event.pk)
    if event.reversed_at is not None:
        raise DomainError(
            _("This event has already been reversed; it no longer counts."),
            code="already_reversed",
        )
    if event.points >= 0:
        raise DomainError(
            _("This event does not lower your score; there is nothing to appeal."),
            code="nothing_to_appeal",
        )
    earlier = event.appeals.order_by("-created_at").first()
    if earlier is not None:
        if earlier.status == CreditAppeal.Status.PENDING:
            raise DomainError(
                _("An appeal of this event is already waiting for an arbitrator."),
                code="appeal_pending",
            )
        raise DomainError(
            _("This event has already been appealed and the appeal was decided."),
            code="already_appealed",
        )
    appeal = CreditAppeal.objects.create(event=event, party=party, statement=statement)
    if event.dispute_id:
        lifecycle.record(
            event.dispute,
            "credit_appeal_filed",
            actor=party.kind,
            user=user,
            payload={"appeal": appeal.pk, "credit_event": event.pk, "kind": event.kind},
        )
    return appeal


@transaction.atomic
def credit_appeal_review(
    *, appeal: CreditAppeal, user, reverse: bool, note: str = ""
) -> CreditAppeal:
    """An arbitrator reverses the appealed event (the score is restored) or confirms it, once.

    The appeal row keeps who decided, when and why; if the event came from a dispute, its
    audit trail gets a line too. The party is told after commit (``credit_appeal_decided``).
    """
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can review a credit appeal."))
    note = (note or "").strip()
    if len(note) > APPEAL_NOTE_MAX:
        raise DomainError(
            _("Keep the note under %(max)d characters.") % {"max": APPEAL_NOTE_MAX},
            code="note_too_long",
            field="note",
        )
    appeal = (
        CreditAppeal.objects.select_for_update(of=("self",))
        .select_related("event__dispute", "party")
        .get(pk=appeal.pk)
    )
    if appeal.status != CreditAppeal.Status.PENDING:
        raise DomainError(
            _("This appeal has already been reviewed (%(status)s).")
            % {"status": appeal.get_status_display()},
            code="already_reviewed",
        )
    if reverse:
        credit.credit_event_reverse(event=appeal.event, user=user, note=note)
        appeal.status = CreditAppeal.Status.REVERSED
    else:
        appeal.status = CreditAppeal.Status.CONFIRMED
    appeal.reviewed_by = user
    appeal.reviewed_at = timezone.now()
    appeal.review_note = note
    appeal.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    event = appeal.event
    if event.dispute_id:
        lifecycle.record(
            event.dispute,
            "credit_appeal_reviewed",
            actor=DisputeEvent.Actor.ARBITRATOR,
            user=user,
            payload={
                "appeal": appeal.pk,
                "credit_event": event.pk,
                "kind": event.kind,
                "status": appeal.status,
                "note": note,
            },
        )
    transaction.on_commit(
        lambda: credit.credit_appeal_decided.send(sender=CreditAppeal, appeal=appeal)
    )
    return appeal


def credit_adjustment_make(*, party: Party, user, points: int, reason: str) -> CreditEvent:
    """An arbitrator books points by hand (a correction the automatic sources cannot make),
    with the reason the party will read; it decays and can be appealed like any event."""
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can adjust a credit score."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the adjustment."), field="reason")
    if not points or abs(points) > ADJUSTMENT_MAX:
        raise DomainError(
            _("An adjustment is between -%(max)d and %(max)d points, and not zero.")
            % {"max": ADJUSTMENT_MAX},
            field="points",
        )
    event, _created = credit.credit_event_record(
        party=party,
        kind=CreditEvent.Kind.ADJUSTMENT,
        reason=reason,
        source_key=f"adjustment:{secrets.token_hex(8)}",
        points=points,
        user=user,
    )
    return event


CREDIT_SETTINGS = (
    "credit_base",
    "credit_half_life_days",
    "credit_trusted_from",
    "credit_watch_below",
    "credit_restricted_below",
)


@transaction.atomic
def platform_credit_settings_update(*, platform: Platform, user, **settings) -> int:
    """Change a platform's credit base, half-life or tier thresholds and re-tier every one of
    its parties against them (with or without events); returns how many changed tier.

    Tier changes are announced as usual (webhook, notification); a superuser's call, since
    it changes what every party of the platform may do.
    """
    if not getattr(user, "is_superuser", False):
        raise NotAllowed(_("Only a superuser can change a platform's credit settings."))
    unknown = sorted(set(settings) - set(CREDIT_SETTINGS))
    if unknown:
        raise DomainError(
            _("Not a credit setting: %(names)s.") % {"names": ", ".join(unknown)},
            code="unknown_setting",
        )
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    for name, value in settings.items():
        setattr(platform, name, value)
    try:
        platform.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="invalid_credit_settings") from error
    if settings:
        platform.save(update_fields=list(settings))
    return credit.credit_refresh_all(platform=platform)


def _hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, platform: Platform, name: str) -> tuple[ApiKey, str]:
    """Make a key for ``platform``; the plaintext is returned here once and never stored."""
    if not name.strip():
        raise DomainError(_("Name the key (e.g. the system that will use it)."), field="name")
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    plaintext = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        platform=platform, name=name.strip(), prefix=prefix, hashed_key=_hash_key(plaintext)
    )
    return key, plaintext


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Stop a key from working at once; revoking twice keeps the first time."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db(fields=["revoked_at"])
    return key


def api_key_verify(plaintext: str) -> ApiKey | None:
    """The live key ``plaintext`` names, or None (unknown, malformed, revoked).

    The prefix only finds the row; the full key is compared by hash in constant time.
    """
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8 or not parts[2]:
        return None
    key = ApiKey.objects.select_related("platform").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.hashed_key, _hash_key(plaintext)):
        return None
    if key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
