"""Opening a dispute and the parties' moves outside offers and decisions."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import credit_sources
from accounts.models import MerchantReport, Party
from evidence.models import Evidence
from evidence.services import evidence_add, evidence_validate
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .. import lifecycle
from ..errors import DomainError, NotAllowed, StateConflict
from ..models import Decision, Dispute, DisputeEvent, Offer, Order
from . import credit_rules
from .common import locked, side_of, yuan
from .decisions import claim_outcome, settle
from .risk import opening_risk

Actor = DisputeEvent.Actor

# Reasons that are about the item's condition need at least one photo or video to go on.
REASONS_NEEDING_EVIDENCE = frozenset(
    {
        Dispute.Reason.DAMAGED,
        Dispute.Reason.NOT_AS_DESCRIBED,
        Dispute.Reason.COUNTERFEIT,
        Dispute.Reason.MISSING_PARTS,
    }
)


@transaction.atomic
def dispute_open(
    *,
    order: Order,
    buyer: Party,
    reason: str,
    remedy: str,
    description: str,
    claimed_amount_fen: int | None = None,
    files=(),
    actor: str = Actor.BUYER,
    user=None,
    submit: bool = True,
) -> Dispute:
    """Open a dispute on ``order`` with its evidence and hand it to the merchant.

    The parties' credit tiers apply (``credit_rules``): they are stored on the dispute, a
    restricted buyer must ask for a return, a watch-tier claim needs more evidence before it
    is sent, and a trusted buyer's small claim is refunded at once. ``submit=False`` keeps
    the claim as the buyer's draft (``open``) to add evidence to, for example photos taken
    with the in-app camera, and send with ``dispute_submit``.
    """
    if order.buyer_id != buyer.pk:
        raise NotAllowed(_("Only the buyer of an order can open a dispute on it."))
    if reason not in Dispute.Reason.values:
        raise DomainError(_("Choose a reason for the dispute."), field="reason")
    if remedy not in Dispute.Remedy.values:
        raise DomainError(_("Choose what you are asking for."), field="remedy")
    buyer = Party.objects.get(pk=buyer.pk)  # the tiers as of now, not of a stale row
    merchant = Party.objects.get(pk=order.merchant_id)
    credit_rules.remedy_check(buyer, remedy)
    reasons = credit_rules.review_reasons(buyer, merchant)
    if not description.strip():
        raise DomainError(_("Describe what went wrong."), field="description")
    if submit and reason in REASONS_NEEDING_EVIDENCE and not files:
        raise DomainError(
            _("Add at least one photo or video that shows the problem."), field="files"
        )
    if submit and credit_rules.needs_more_evidence(buyer.credit_tier, reason):
        count = credit_rules.evidence_count(uploads=files, inspected=evidence_validate(files))
        credit_rules.watch_evidence_check(count)
    claimed = order.amount_fen if claimed_amount_fen is None else claimed_amount_fen
    if not 0 < claimed <= order.amount_fen:
        raise DomainError(
            _("The amount claimed must be more than zero and at most what you paid."),
            field="claimed_amount",
        )
    # Serialise two opens of one order: lock its row (only the lock is needed, not the row).
    Order.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True).get()
    # One read for both refusals: an active dispute of the order wins over a settled one.
    earlier = set(
        Dispute.objects.filter(
            order=order, state__in=[*lifecycle.ACTIVE_STATES, *lifecycle.SETTLED_STATES]
        ).values_list("state", flat=True)
    )
    if earlier & set(lifecycle.ACTIVE_STATES):
        raise DomainError(
            _("This order already has an open dispute."), code="dispute_exists", field="order"
        )
    if earlier:
        raise DomainError(
            _("A dispute on this order has already been settled; it cannot be opened again."),
            code="dispute_settled",
            field="order",
        )
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                platform=order.platform,
                order=order,
                buyer=buyer,
                merchant=merchant,
                reason=reason,
                remedy=remedy,
                description=description.strip(),
                claimed_amount_fen=claimed,
                buyer_tier=buyer.credit_tier,
                review_required=bool(reasons),
                review_reason="; ".join(reasons)[:200],
                # credit × amount rank it at once; it has no evidence yet, so no findings
                risk_score=opening_risk(buyer=buyer, merchant=merchant, claimed_fen=claimed),
            )
    except IntegrityError as exc:
        raise DomainError(
            _("This order already has an open dispute."), code="dispute_exists", field="order"
        ) from exc
    lifecycle.record(dispute, "opened", actor=actor, user=user, payload={"reason": reason})
    credit_sources.credit_for_dispute_opened(dispute)
    webhooks_emit(
        platform=order.platform,
        type=EventType.DISPUTE_CREATED,
        data=payloads.dispute_data(dispute),
    )
    if files:
        _add_evidence(dispute, buyer, files, actor=actor, user=user)
    if not submit:
        # a draft the buyer never sends expires (deadlines: buyer, never submitted a draft)
        dispute.waiting_on = Dispute.Side.BUYER
        dispute.deadline_at = timezone.now() + order.platform.buyer_response_window
        dispute.save(update_fields=["waiting_on", "deadline_at"])
        return dispute
    _submit(dispute, actor=actor, user=user)
    return dispute


@transaction.atomic
def dispute_submit(*, dispute: Dispute, party: Party, user=None) -> Dispute:
    """Send the buyer's draft to the merchant once its evidence meets the rules."""
    dispute = locked(dispute)
    if side_of(dispute, party) != Actor.BUYER:
        raise NotAllowed(_("Only the buyer can send the claim."))
    stored = list(Evidence.objects.filter(dispute=dispute, role=Evidence.Role.BUYER))
    if dispute.reason in REASONS_NEEDING_EVIDENCE and not stored:
        raise DomainError(
            _("Add at least one photo or video that shows the problem."), field="files"
        )
    if credit_rules.needs_more_evidence(dispute.buyer_tier, dispute.reason):
        credit_rules.watch_evidence_check(credit_rules.evidence_count(stored=stored))
    _submit(dispute, actor=Actor.BUYER, user=user)
    return dispute


def _submit(dispute: Dispute, *, actor: str, user=None) -> None:
    now = timezone.now()
    dispute.submitted_at = now
    dispute.save(update_fields=["submitted_at"])
    lifecycle.apply(
        dispute,
        "submit",
        actor=actor,
        user=user,
        waiting_on=Dispute.Side.MERCHANT,
        due=now + dispute.platform.merchant_response_window,
    )
    if credit_rules.fast_refund_applies(dispute):
        _fast_refund(dispute)


def _fast_refund(dispute: Dispute) -> None:
    """Pay a trusted buyer's small claim now; the merchant is told in the timeline."""
    amount, cap = dispute.claimed_amount_fen, dispute.platform.fast_refund_cap_fen
    lifecycle.apply(
        dispute, "fast_refund", actor=Actor.SYSTEM, payload={"amount_fen": amount, "cap_fen": cap}
    )
    full = amount == dispute.order.amount_fen
    settle(
        dispute,
        outcome=Decision.Outcome.FULL_REFUND if full else Decision.Outcome.PARTIAL_REFUND,
        amount_fen=amount,
        reasoning=_(
            "Fast refund: the buyer is in good standing and the claim is within the "
            "platform's fast-refund limit of %(cap)s."
        )
        % {"cap": yuan(cap)},
        source=Decision.Source.FAST_REFUND,
    )


def _add_evidence(dispute: Dispute, party: Party, files, *, actor: str, user=None, caption=""):
    # by the party, not the actor: a platform opening a dispute files the buyer's evidence
    role = Evidence.Role.BUYER if party.pk == dispute.buyer_id else Evidence.Role.MERCHANT
    items = evidence_add(
        order=dispute.order,
        dispute=dispute,
        party=party,
        files=files,
        role=role,
        caption=caption,
    )
    lifecycle.record(
        dispute,
        "evidence_added",
        actor=actor,
        user=user,
        payload={"evidence": [item.pk for item in items], "count": len(items)},
    )
    return items


@transaction.atomic
def party_add_evidence(
    *, dispute: Dispute, party: Party, files, caption: str = "", user=None
) -> list[Evidence]:
    """Add photos or videos while the evidence window is open (it closes at review).

    Under review, only a party an arbitrator asked for more evidence may add it, until the
    request's due time; the upload fulfils the request (``services/requests.py``).
    """
    from .requests import evidence_request_fulfil, open_request

    dispute = locked(dispute)
    actor = side_of(dispute, party)
    request = None
    if dispute.state == Dispute.State.UNDER_REVIEW:
        request = open_request(dispute, actor, lock=True)
    if dispute.state not in lifecycle.EVIDENCE_STATES and request is None:
        raise DomainError(
            _("Evidence can no longer be added: the dispute is %(state)s.")
            % {"state": dispute.get_state_display()},
            code="evidence_closed",
        )
    if not files:
        raise DomainError(_("Choose at least one file."), field="files")
    items = _add_evidence(dispute, party, files, actor=actor, user=user, caption=caption)
    if request is not None:
        evidence_request_fulfil(dispute, request, items, actor=actor, user=user)
    return items


@transaction.atomic
def merchant_respond(*, dispute: Dispute, party: Party, statement: str, user=None) -> Dispute:
    """Record the merchant's written answer; it does not by itself change whose move it is."""
    dispute = locked(dispute)
    if side_of(dispute, party) != Actor.MERCHANT:
        raise NotAllowed(_("Only the merchant can respond to this dispute."))
    if dispute.state not in lifecycle.EVIDENCE_STATES:
        raise StateConflict(_("This dispute no longer takes responses."), code="closed")
    if not statement.strip():
        raise DomainError(_("Write your response."), field="statement")
    dispute.merchant_statement = statement.strip()
    dispute.save(update_fields=["merchant_statement", "updated_at"])
    lifecycle.record(dispute, "merchant_responded", actor=Actor.MERCHANT, user=user)
    return dispute


def _lapse_pending_offers(dispute: Dispute) -> None:
    dispute.offers.filter(status=Offer.Status.PENDING).update(
        status=Offer.Status.LAPSED, answered_at=timezone.now()
    )


@transaction.atomic
def dispute_escalate(
    *, dispute: Dispute, party: Party | None = None, statement: str = "", user=None
) -> Dispute:
    """Ask an arbitrator to decide. Closes the evidence window; open offers lapse."""
    dispute = locked(dispute)
    actor = side_of(dispute, party) if party else Actor.SYSTEM
    _lapse_pending_offers(dispute)
    dispute.evidence_closed_at = timezone.now()
    dispute.save(update_fields=["evidence_closed_at"])
    lifecycle.apply(
        dispute,
        "escalate",
        actor=actor,
        user=user,
        waiting_on=Dispute.Side.ARBITRATOR,
        payload={"statement": statement.strip()} if statement.strip() else {},
    )
    return dispute


@transaction.atomic
def dispute_withdraw(*, dispute: Dispute, party: Party, user=None) -> Dispute:
    dispute = locked(dispute)
    if side_of(dispute, party) != Actor.BUYER:
        raise NotAllowed(_("Only the buyer can withdraw a dispute."))
    _lapse_pending_offers(dispute)
    lifecycle.apply(dispute, "withdraw", actor=Actor.BUYER, user=user)
    return dispute


@transaction.atomic
def merchant_accept_claim(*, dispute: Dispute, party: Party, user=None) -> Dispute:
    """The merchant gives the buyer what was asked for; no arbitrator needed, unless the
    dispute must be reviewed (``credit_rules``): then an arbitrator confirms it first."""
    dispute = locked(dispute)
    if side_of(dispute, party) != Actor.MERCHANT:
        raise NotAllowed(_("Only the merchant can accept the claim."))
    outcome = claim_outcome(dispute)
    _lapse_pending_offers(dispute)
    if dispute.review_required:
        credit_rules.settlement_for_review(
            dispute,
            "accept_claim_for_review",
            actor=Actor.MERCHANT,
            user=user,
            terms={"outcome": outcome, "amount_fen": dispute.claimed_amount_fen},
        )
        return dispute
    lifecycle.apply(dispute, "accept_claim", actor=Actor.MERCHANT, user=user)
    settle(
        dispute,
        outcome=outcome,
        amount_fen=dispute.claimed_amount_fen,
        reasoning=_("The merchant accepted the buyer's claim."),
        source=Decision.Source.MERCHANT_ACCEPTED,
        user=user,
    )
    return dispute


@transaction.atomic
def merchant_report_buyer(
    *, dispute: Dispute, party: Party, category: str, statement: str, user=None
) -> MerchantReport:
    """File a report of an abusive buyer for an arbitrator to review."""
    dispute = locked(dispute)
    if side_of(dispute, party) != Actor.MERCHANT:
        raise NotAllowed(_("Only the merchant can report the buyer."))
    if category not in MerchantReport.Category.values:
        raise DomainError(_("Choose what the report is about."), field="category")
    if not statement.strip():
        raise DomainError(_("Explain what happened."), field="statement")
    if MerchantReport.objects.filter(merchant=party, dispute=dispute).exists():
        raise DomainError(
            _("You have already reported the buyer in this dispute."), code="duplicate"
        )
    report = MerchantReport.objects.create(
        merchant=party,
        buyer=dispute.buyer,
        dispute=dispute,
        category=category,
        statement=statement.strip(),
    )
    lifecycle.record(
        dispute,
        "buyer_reported",
        actor=Actor.MERCHANT,
        user=user,
        payload={"report": report.pk, "category": category},
    )
    return report
