"""Appeals of a decision: filed by a party once, reviewed by another arbitrator.

Only a judged decision can be appealed (an arbitrator's, a lapsed deadline's, a fast refund
nobody judged); an agreement or a merchant's own acceptance is the parties' word. Each party
may appeal a decision once, within the platform's window (``Platform.appeal_window_days``),
with a statement and new evidence; one appeal is reviewed at a time. The arbitrator who made
the decision may not review it. An overturn says what the decision should have been: the
difference in money goes to the platform (``dispute.appeal_decided``), which moves it, and
the credit the decision booked is struck and booked anew for the new outcome.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import credit_sources
from accounts.models import Party
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .. import lifecycle
from ..errors import DomainError, NotAllowed
from ..models import Decision, DecisionAppeal, Dispute, DisputeEvent
from .common import appeal_deadline, locked, side_of
from .decisions import resolve_amount
from .disputes import _add_evidence

Actor = DisputeEvent.Actor
Source = Decision.Source
APPEALABLE_SOURCES = frozenset({Source.ARBITRATOR, Source.DEADLINE, Source.FAST_REFUND})
APPEAL_REVIEW_WINDOW = timedelta(hours=72)
STATEMENT_MAX = 4000


def appeal_refusal(dispute: Dispute, side: str) -> str:
    """Why ``side`` cannot appeal now, or ``""`` when it can (pages show the form by it)."""
    decision = Decision.objects.filter(dispute=dispute).first()
    if decision is None or dispute.state not in lifecycle.SETTLED_STATES:
        return _("There is no decision to appeal.")
    if decision.source not in APPEALABLE_SOURCES:
        return _("A settlement the parties agreed cannot be appealed.")
    if timezone.now() > appeal_deadline(decision):
        return _("The window to appeal this decision has closed.")
    appeals = list(decision.appeals.all())
    if any(appeal.side == side for appeal in appeals):
        return _("You have already appealed this decision.")
    if any(appeal.status == DecisionAppeal.Status.FILED for appeal in appeals):
        return _("An appeal of this decision is already under review.")
    return ""


@transaction.atomic
def appeal_file(
    *,
    dispute: Dispute,
    party: Party,
    statement: str,
    files=(),
    actor: str | None = None,
    user=None,
) -> DecisionAppeal:
    """``party`` appeals the dispute's decision, with a statement and optional new files.

    ``actor`` is the party's side, or ``platform`` when the platform files it by API.
    """
    dispute = locked(dispute)
    side = side_of(dispute, party)
    statement = (statement or "").strip()
    if not statement:
        raise DomainError(_("Say why the decision should be changed."), field="statement")
    if len(statement) > STATEMENT_MAX:
        raise DomainError(
            _("Keep the statement under %(max)d characters.") % {"max": STATEMENT_MAX},
            field="statement",
        )
    refusal = appeal_refusal(dispute, side)
    if refusal:
        raise DomainError(refusal, code="not_appealable")
    appeal = DecisionAppeal(
        dispute=dispute,
        decision=dispute.decision,
        side=side,
        filed_by=user,
        statement=statement,
        review_due_at=timezone.now() + APPEAL_REVIEW_WINDOW,
    )
    items = _add_evidence(dispute, party, files, actor=actor or side, user=user) if files else []
    lifecycle.advance(
        dispute,
        appeal,
        lifecycle.APPEAL_STEPS,
        "appeal_filed",
        actor=actor or side,
        user=user,
        payload={"side": side, "statement": statement, "evidence": [i.pk for i in items]},
    )
    appeal.evidence.set(items)
    return appeal


@transaction.atomic
def appeal_review(
    *,
    appeal: DecisionAppeal,
    user,
    overturn: bool,
    reasons: str,
    outcome: str = "",
    amount_fen: int | None = None,
    percent: int | None = None,
) -> DecisionAppeal:
    """Uphold the decision, or overturn it for ``outcome`` (and its amount), with reasons."""
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can review an appeal."))
    dispute = locked(appeal.dispute)
    appeal = DecisionAppeal.objects.select_for_update().select_related("decision").get(pk=appeal.pk)
    decision = appeal.decision
    if decision.decided_by_id is not None and decision.decided_by_id == user.pk:
        raise NotAllowed(_("The arbitrator who made the decision cannot review its appeal."))
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError(_("Give the reasons for your review."), field="reasons")
    if overturn:
        amount = resolve_amount(dispute, outcome, amount_fen, percent)
        if outcome == decision.outcome and amount == decision.amount_fen:
            raise DomainError(
                _("This is the decision already made: uphold it instead."), field="outcome"
            )
        appeal.outcome, appeal.amount_fen = outcome, amount
        appeal.adjustment_fen = amount - decision.amount_fen
    appeal.reviewed_by, appeal.reviewed_at, appeal.reasons = user, timezone.now(), reasons
    lifecycle.advance(
        dispute,
        appeal,
        lifecycle.APPEAL_STEPS,
        "appeal_overturned" if overturn else "appeal_upheld",
        actor=Actor.ARBITRATOR,
        user=user,
        payload={
            "side": appeal.side,
            "note": reasons,
            "outcome": appeal.outcome or decision.outcome,
            "adjustment_fen": appeal.adjustment_fen,
        },
    )
    credit_sources.credit_for_appeal(appeal)
    webhooks_emit(
        platform=dispute.platform, type=EventType.APPEAL_DECIDED, data=payloads.appeal_data(appeal)
    )
    return appeal
