"""Creating notifications and sending their e-mails, each exactly once per recipient and cause.

Rows are created idempotently (unique ``(recipient, dedupe_key)``). An e-mail is claimed with
a conditional update before it is sent and never claimed twice: a send that raises gives the
claim back for a retry; a worker killed between the claim and the confirmation leaves the row
claimed and unconfirmed, and it is not sent again (at most once: never a duplicate; the
notification still shows in the app).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from accounts.models import CreditAppeal, CreditProposal, Party
from arbitration.models import Decision, Dispute, DisputeEvent, Offer

from . import messages, rules
from .models import Notification, NotifiedEvent

Kind = Notification.Kind

# Rows and events younger than GRACE are left to their own on-commit task; events older than
# LOOKBACK are not turned into notices any more. E-mails have a shorter cutoff of their own
# (``email_max_age``).
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_LOOKBACK = timedelta(days=1)


def email_max_age() -> timedelta:
    """Past this age a notice is stale news: it stays in the app but is never e-mailed (a
    user who just added an address, a broker back after hours, must not get a backlog)."""
    return timedelta(seconds=settings.NOTIFICATION_EMAIL_MAX_AGE)


def notification_create(
    *,
    recipient: Party,
    kind: str,
    dedupe_key: str,
    context: dict,
    dispute: Dispute | None = None,
    event: DisputeEvent | None = None,
) -> tuple[Notification, bool]:
    """One notification per (recipient, cause); a second call returns the first row."""
    fields = {"kind": kind, "context": context, "dispute": dispute, "event": event}
    try:
        with transaction.atomic():
            return Notification.objects.get_or_create(
                recipient=recipient, dedupe_key=dedupe_key, defaults=fields
            )
    except IntegrityError:  # a concurrent task created it first
        return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key), False


def dispute_context(dispute: Dispute, **facts) -> dict:
    return {
        "reference": dispute.reference,
        "order_title": dispute.order.title,
        **{key: value for key, value in facts.items() if value not in (None, "")},
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _event_facts(event: DisputeEvent, kind: str) -> dict:
    dispute, payload = event.dispute, event.payload or {}
    facts = {"by": event.actor, "amount_fen": payload.get("amount_fen")}
    if dispute.state == event.to_state:  # no later move: the deadline is still this step's
        facts["due_at"] = _iso(dispute.deadline_at)
    if kind in {Kind.OFFER_ACCEPTED, Kind.OFFER_REJECTED} and payload.get("offer"):
        offer = Offer.objects.filter(pk=payload["offer"]).first()
        facts["amount_fen"] = offer.amount_fen if offer else None
    if kind == Kind.DISPUTE_OPENED:
        facts["amount_fen"] = dispute.claimed_amount_fen
    if kind == Kind.DECISION_MADE:
        decision = Decision.objects.filter(dispute=dispute).first()
        if decision is not None:
            facts.update(outcome=decision.outcome, amount_fen=decision.amount_fen)
        else:
            facts["outcome"] = payload.get("outcome")
    if kind == Kind.EVIDENCE_REQUESTED:
        facts["what"], facts["due_at"] = payload.get("what"), payload.get("due_at")
    if kind == Kind.APPEAL:
        facts["step"], facts["side"] = event.action, payload.get("side")
        facts["outcome"], facts["amount_fen"] = payload.get("outcome"), None
        facts["adjustment_fen"] = payload.get("adjustment_fen")
    if kind == Kind.SHIPMENT:
        facts["tracking"] = payload.get("tracking_number")
        facts["step"] = event.action
    return facts


def notifications_for_event(*, event_id: int) -> list[int]:
    """Create the notifications an event calls for (per ``rules``); return their ids.

    Safe to run any number of times: rows are found again by their dedupe key.
    """
    event = (
        DisputeEvent.objects.select_related("dispute__order", "dispute__buyer", "dispute__merchant")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return []
    rule = rules.rule_for(event.action)
    ids = []
    if rule is not None:
        dispute = event.dispute
        parties = {"buyer": dispute.buyer, "merchant": dispute.merchant}
        cause = f"dispute:{dispute.pk}:{rule.cause}" if rule.cause else f"event:{event.pk}"
        context = dispute_context(dispute, **_event_facts(event, rule.kind))
        for side in rules.recipient_sides(rule, event.actor, event.payload or {}):
            notification, _created = notification_create(
                recipient=parties[side],
                kind=rule.kind,
                dedupe_key=cause,
                context=context,
                dispute=dispute,
                event=event,
            )
            ids.append(notification.pk)
    NotifiedEvent.objects.get_or_create(event_id=event.pk)
    return ids


def _address(notification: Notification) -> str:
    user = notification.recipient.user
    return (user.email or "") if user is not None and user.is_active else ""


def email_text(notification: Notification) -> tuple[str, str]:
    """Subject and body in the platform's default language and time zone."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        subject = messages.title(notification)
        lines = [messages.body(notification)]
        if notification.dispute_id:
            lines.append(f"{settings.SITE_URL.rstrip('/')}/disputes/{notification.dispute_id}/")
        lines.append(f"{settings.SITE_URL.rstrip('/')}/notifications/")
        return subject, "\n\n".join(lines)


def send_email(*, to: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=[to]).send(fail_silently=False)


def _claim(notification_id: int, now: datetime) -> bool:
    return bool(
        Notification.objects.filter(
            pk=notification_id, email_claimed_at__isnull=True, email_sent_at__isnull=True
        ).update(email_claimed_at=now)
    )


def _confirm_sent(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id).update(email_sent_at=timezone.now())


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification's e-mail unless it has been claimed before; True if sent now."""
    notification = (
        Notification.objects.select_related("recipient__user", "dispute")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or not (address := _address(notification)):
        return False
    if not _claim(notification_id, timezone.now()):
        return False
    subject, body = email_text(notification)
    try:
        send_email(to=address, subject=subject, body=body)
    except Exception:
        # not handed over: release the claim so the retry (or the sweep) sends it
        Notification.objects.filter(pk=notification_id, email_sent_at__isnull=True).update(
            email_claimed_at=None
        )
        raise
    _confirm_sent(notification_id)
    return True


def emails_pending(ids=None, *, now: datetime | None = None, grace=timedelta(0)) -> list[int]:
    """Ids of notifications whose e-mail is due and unclaimed (recipient has an address),
    not older than ``email_max_age``: counted from the event the notice tells of, so a notice
    made late from an old event is not mailed either."""
    now = now or timezone.now()
    cutoff = now - email_max_age()
    rows = (
        Notification.objects.filter(
            email_claimed_at__isnull=True,
            email_sent_at__isnull=True,
            created_at__gte=cutoff,
            created_at__lte=now - grace,
            recipient__user__is_active=True,
        )
        .filter(Q(event__isnull=True) | Q(event__created_at__gte=cutoff))
        .exclude(recipient__user__email="")
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return list(rows.values_list("pk", flat=True)[:500])


def events_unprocessed(*, now: datetime | None = None) -> list[int]:
    """Recent notifying events no task has processed (the broker was down at commit)."""
    now = now or timezone.now()
    done = NotifiedEvent.objects.filter(event_id=OuterRef("pk"))
    return list(
        DisputeEvent.objects.filter(
            created_at__gte=now - SWEEP_LOOKBACK,
            created_at__lte=now - SWEEP_GRACE,
            action__in=rules.NOTIFYING_ACTIONS,
        )
        .exclude(Exists(done))
        .values_list("pk", flat=True)[:500]
    )


def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's unread notifications (all, or these ids) read."""
    rows = Notification.objects.filter(recipient__user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def credit_tier_notify(
    *, party_id: int, old_tier: str, new_tier: str, score: int, at: str
) -> Notification | None:
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        return None
    notification, _created = notification_create(
        recipient=party,
        kind=Kind.CREDIT_TIER_CHANGED,
        dedupe_key=f"credit:{new_tier}:{at}",
        context={"old_tier": old_tier, "new_tier": new_tier, "score": score},
    )
    return notification


def credit_appeal_notify(*, appeal_id: int) -> Notification | None:
    """Tell the appellant how their appeal was decided, once per appeal; pending: nothing yet."""
    appeal = (
        CreditAppeal.objects.select_related("event", "party")
        .filter(pk=appeal_id)
        .exclude(status=CreditAppeal.Status.PENDING)
        .first()
    )
    if appeal is None:
        return None
    event = appeal.event
    notification, _created = notification_create(
        recipient=appeal.party,
        kind=Kind.CREDIT_APPEAL_DECIDED,
        dedupe_key=f"credit_appeal:{appeal.pk}",
        context={
            "status": appeal.status,
            "note": appeal.review_note,
            "event_kind": event.kind,
            "points": event.points,
        },
    )
    return notification


def credit_proposal_notify(*, proposal_id: int) -> Notification | None:
    """Tell the party an arbitrator confirmed (booked) or dismissed a proposed credit event,
    once per proposal; a pending one tells nothing."""
    proposal = (
        CreditProposal.objects.select_related("party", "dispute__order")
        .filter(pk=proposal_id)
        .exclude(status=CreditProposal.Status.PENDING)
        .first()
    )
    if proposal is None:
        return None
    context = {
        "status": proposal.status,
        "note": proposal.review_note,
        "event_kind": proposal.kind,
        "points": proposal.points,
    }
    if proposal.dispute_id:
        context = dispute_context(proposal.dispute, **context)
    notification, _created = notification_create(
        recipient=proposal.party,
        kind=Kind.CREDIT_PROPOSAL_REVIEWED,
        dedupe_key=f"credit_proposal:{proposal.pk}",
        context=context,
        dispute=proposal.dispute,
    )
    return notification
