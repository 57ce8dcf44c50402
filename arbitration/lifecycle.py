"""The dispute state machine. Every change of ``Dispute.state`` goes through ``apply``.

A transition names the states it may start from, the state it leads to and who may
perform it. ``apply`` checks all three, moves the dispute, sets whose move it is next and
writes the ``DisputeEvent`` audit row and the ``dispute.updated`` webhook event (sent after
commit). Callers (the services) hold the row lock (``select_for_update``) and the
transaction; an illegal move raises ``IllegalTransition``, which the web pages show as a
message and the API as HTTP 409.

    open ──submit──▶ awaiting_merchant ──offer──▶ negotiating ⇄ counter / reject_offer
                          │     │                    │    │
                          │     └──escalate──────────┼────┴──▶ under_review ──decide──▶ decided
                          └──accept_claim / default──┴──accept_offer──────────────────▶ decided
    decided ──refund──▶ refunded        decided ──close──▶ closed

Credit tiers (``services/credit_rules.py``):

    awaiting_merchant ──fast_refund (system, at submission)──▶ decided
        a trusted buyer's small money-only claim, paid without waiting for the merchant
    negotiating ──accept_offer_for_review──▶ under_review
    awaiting_merchant / negotiating ──accept_claim_for_review──▶ under_review
        when ``Dispute.review_required`` (a watch or restricted party): what the parties agreed
        is not final until an arbitrator confirms it with ``decide``; the agreed terms are in
        the event's payload

Remedies carried out after the decision (``FULFILMENT_STATES``; each step has a deadline):

    decided ──await_return──▶ awaiting_return ──ship_return (buyer)──▶ return_in_transit
        awaiting_return ──return_lapse (deadline)──▶ closed            (no refund)
        return_in_transit ──acknowledge_return (merchant; system at the deadline)──▶ refunding
    decided ──await_replacement──▶ awaiting_replacement ──ship_replacement (merchant)──▶
        replacement_shipped ──confirm_replacement (buyer; system at the deadline)──▶ closed
        awaiting_replacement ──replacement_lapse (deadline)──▶ refunding (the claim instead)
    refunding ──refund──▶ refunded
    open / awaiting_merchant / negotiating / under_review ──withdraw──▶ withdrawn
    open / negotiating ──expire──▶ expired

Records with a life of their own inside a settled dispute move through ``advance``, with the
same checks and audit row, without moving the dispute:

    appeal of the decision (``APPEAL_STEPS``, ``services/appeals.py``)
        (new) ──appeal_filed (buyer / merchant / platform, within the window)──▶ filed
        filed ──appeal_upheld / appeal_overturned (another arbitrator)──▶ upheld / overturned
    the merchant's "this photo is fake" flag (``FLAG_STEPS``, ``services/flags.py``)
        (new) ──photo_flagged (merchant)──▶ flagged
        flagged ──flag_upheld / flag_dismissed (arbitrator, or the decision)──▶ upheld / dismissed
    the recovery of a fast refund found fabricated (``RECOVERY_STEPS``, ``services/recoveries.py``)
        (new) ──recovery_requested (arbitrator)──▶ requested
        requested ──recovery_recovered / recovery_written_off (platform)──▶ recovered / written_off
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from notifications.hooks import dispute_event_committed
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from .models import DecisionAppeal, Dispute, DisputeEvent, PhotoFlag, RefundRecovery

State = Dispute.State
Actor = DisputeEvent.Actor
Side = Dispute.Side

# How long an arbitrator has for a dispute under review, not counting time spent waiting
# for evidence an arbitrator asked a party for.
REVIEW_WINDOW = timedelta(hours=72)

ACTIVE_STATES = frozenset(
    {State.OPEN, State.AWAITING_MERCHANT, State.NEGOTIATING, State.UNDER_REVIEW}
)
EVIDENCE_STATES = frozenset({State.OPEN, State.AWAITING_MERCHANT, State.NEGOTIATING})
TERMINAL_STATES = frozenset({State.REFUNDED, State.CLOSED, State.WITHDRAWN, State.EXPIRED})
# After the decision, while a return, a replacement or the refund that follows is under way.
FULFILMENT_STATES = frozenset(
    {
        State.AWAITING_RETURN,
        State.RETURN_IN_TRANSIT,
        State.REFUNDING,
        State.AWAITING_REPLACEMENT,
        State.REPLACEMENT_SHIPPED,
    }
)
# States in which someone may have a deadline (``waiting_on``/``deadline_at`` are kept).
DEADLINE_STATES = ACTIVE_STATES | FULFILMENT_STATES
# An order settled once is not disputed again; a withdrawn or expired claim may be reopened.
SETTLED_STATES = frozenset({State.DECIDED, State.REFUNDED, State.CLOSED}) | FULFILMENT_STATES


class IllegalTransition(Exception):
    """The requested move is not allowed from the dispute's current state or by this actor."""

    code = "illegal_transition"

    def __init__(self, dispute: Dispute, name: str, reason: str):
        self.dispute_id = dispute.pk
        self.state = dispute.state
        self.transition = name
        super().__init__(reason)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    actors: frozenset


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        frozenset({State.OPEN}), State.AWAITING_MERCHANT, frozenset({Actor.BUYER, Actor.PLATFORM})
    ),
    "offer": Transition(
        frozenset({State.AWAITING_MERCHANT, State.NEGOTIATING}),
        State.NEGOTIATING,
        frozenset({Actor.MERCHANT}),
    ),
    "counter": Transition(
        frozenset({State.NEGOTIATING}),
        State.NEGOTIATING,
        frozenset({Actor.BUYER, Actor.MERCHANT}),
    ),
    "reject_offer": Transition(
        frozenset({State.NEGOTIATING}),
        State.NEGOTIATING,
        frozenset({Actor.BUYER, Actor.MERCHANT}),
    ),
    "accept_offer": Transition(
        frozenset({State.NEGOTIATING}), State.DECIDED, frozenset({Actor.BUYER, Actor.MERCHANT})
    ),
    "accept_claim": Transition(
        frozenset({State.AWAITING_MERCHANT, State.NEGOTIATING}),
        State.DECIDED,
        frozenset({Actor.MERCHANT}),
    ),
    "escalate": Transition(
        frozenset({State.AWAITING_MERCHANT, State.NEGOTIATING}),
        State.UNDER_REVIEW,
        frozenset({Actor.BUYER, Actor.MERCHANT, Actor.SYSTEM}),
    ),
    "accept_offer_for_review": Transition(
        frozenset({State.NEGOTIATING}),
        State.UNDER_REVIEW,
        frozenset({Actor.BUYER, Actor.MERCHANT}),
    ),
    "accept_claim_for_review": Transition(
        frozenset({State.AWAITING_MERCHANT, State.NEGOTIATING}),
        State.UNDER_REVIEW,
        frozenset({Actor.MERCHANT}),
    ),
    "fast_refund": Transition(
        frozenset({State.AWAITING_MERCHANT}), State.DECIDED, frozenset({Actor.SYSTEM})
    ),
    "decide": Transition(
        frozenset({State.UNDER_REVIEW}), State.DECIDED, frozenset({Actor.ARBITRATOR})
    ),
    "default_decide": Transition(
        frozenset({State.AWAITING_MERCHANT}), State.DECIDED, frozenset({Actor.SYSTEM})
    ),
    "refund": Transition(
        frozenset({State.DECIDED, State.REFUNDING}),
        State.REFUNDED,
        frozenset({Actor.SYSTEM, Actor.PLATFORM}),
    ),
    "await_return": Transition(
        frozenset({State.DECIDED}), State.AWAITING_RETURN, frozenset({Actor.SYSTEM})
    ),
    "ship_return": Transition(
        frozenset({State.AWAITING_RETURN}), State.RETURN_IN_TRANSIT, frozenset({Actor.BUYER})
    ),
    "acknowledge_return": Transition(
        frozenset({State.RETURN_IN_TRANSIT}),
        State.REFUNDING,
        frozenset({Actor.MERCHANT, Actor.SYSTEM}),
    ),
    "return_lapse": Transition(
        frozenset({State.AWAITING_RETURN}), State.CLOSED, frozenset({Actor.SYSTEM})
    ),
    "await_replacement": Transition(
        frozenset({State.DECIDED}), State.AWAITING_REPLACEMENT, frozenset({Actor.SYSTEM})
    ),
    "ship_replacement": Transition(
        frozenset({State.AWAITING_REPLACEMENT}),
        State.REPLACEMENT_SHIPPED,
        frozenset({Actor.MERCHANT}),
    ),
    "confirm_replacement": Transition(
        frozenset({State.REPLACEMENT_SHIPPED}),
        State.CLOSED,
        frozenset({Actor.BUYER, Actor.SYSTEM}),
    ),
    "replacement_lapse": Transition(
        frozenset({State.AWAITING_REPLACEMENT}), State.REFUNDING, frozenset({Actor.SYSTEM})
    ),
    "close": Transition(frozenset({State.DECIDED}), State.CLOSED, frozenset({Actor.SYSTEM})),
    "withdraw": Transition(ACTIVE_STATES, State.WITHDRAWN, frozenset({Actor.BUYER})),
    "expire": Transition(
        frozenset({State.OPEN, State.NEGOTIATING}), State.EXPIRED, frozenset({Actor.SYSTEM})
    ),
}


def allowed(dispute: Dispute, name: str, actor: str) -> bool:
    """Whether ``actor`` may perform ``name`` now; pages use it to show only live buttons."""
    transition = TRANSITIONS[name]
    return dispute.state in transition.sources and actor in transition.actors


def apply(
    dispute: Dispute,
    name: str,
    *,
    actor: str,
    user=None,
    waiting_on: str = Side.NOBODY,
    due: datetime | None = None,
    payload: dict | None = None,
) -> DisputeEvent:
    """Move ``dispute`` along transition ``name`` and write its audit row.

    The caller must hold ``select_for_update`` on the dispute inside a transaction.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise IllegalTransition(dispute, name, f"Unknown transition '{name}'.")
    if actor not in transition.actors:
        raise IllegalTransition(dispute, name, f"A {actor} cannot {name.replace('_', ' ')}.")
    if dispute.state not in transition.sources:
        raise IllegalTransition(
            dispute,
            name,
            f"Cannot {name.replace('_', ' ')} a dispute that is "
            f"{Dispute.State(dispute.state).label}.",
        )
    source = dispute.state
    dispute.state = transition.target
    if transition.target in DEADLINE_STATES:
        dispute.waiting_on, dispute.deadline_at = waiting_on, due
    else:
        dispute.waiting_on, dispute.deadline_at = Side.NOBODY, None
    fields = ["state", "waiting_on", "deadline_at", "updated_at"]
    if transition.target == State.UNDER_REVIEW and source != State.UNDER_REVIEW:
        # the review clock starts here; evidence requests pause it (services/requests.py)
        dispute.review_due_at = timezone.now() + REVIEW_WINDOW
        dispute.review_paused_at = None
        fields += ["review_due_at", "review_paused_at"]
    dispute.save(update_fields=fields)
    event = DisputeEvent.objects.create(
        dispute=dispute,
        action=name,
        actor=actor,
        actor_user=user,
        from_state=source,
        to_state=transition.target,
        payload=payload or {},
    )
    data = {**payloads.dispute_data(dispute), "transition": name, "previous_state": source}
    webhooks_emit(platform=dispute.platform, type=EventType.DISPUTE_UPDATED, data=data)
    dispute_event_committed(event)
    return event


def record(
    dispute: Dispute, action: str, *, actor: str, user=None, payload: dict | None = None
) -> DisputeEvent:
    """Audit something that happened without a change of state (evidence added, a note)."""
    event = DisputeEvent.objects.create(
        dispute=dispute,
        action=action,
        actor=actor,
        actor_user=user,
        from_state=dispute.state,
        to_state=dispute.state,
        payload=payload or {},
    )
    dispute_event_committed(event)
    return event


AppealStatus = DecisionAppeal.Status
NEW = ""  # the source state of a record not yet saved

APPEAL_STEPS: dict[str, Transition] = {
    "appeal_filed": Transition(
        frozenset({NEW}),
        AppealStatus.FILED,
        frozenset({Actor.BUYER, Actor.MERCHANT, Actor.PLATFORM}),
    ),
    "appeal_upheld": Transition(
        frozenset({AppealStatus.FILED}), AppealStatus.UPHELD, frozenset({Actor.ARBITRATOR})
    ),
    "appeal_overturned": Transition(
        frozenset({AppealStatus.FILED}), AppealStatus.OVERTURNED, frozenset({Actor.ARBITRATOR})
    ),
}

FlagStatus = PhotoFlag.Status
FLAG_STEPS: dict[str, Transition] = {
    "photo_flagged": Transition(frozenset({NEW}), FlagStatus.FLAGGED, frozenset({Actor.MERCHANT})),
    "flag_upheld": Transition(
        frozenset({FlagStatus.FLAGGED}), FlagStatus.UPHELD, frozenset({Actor.ARBITRATOR})
    ),
    "flag_dismissed": Transition(
        frozenset({FlagStatus.FLAGGED}), FlagStatus.DISMISSED, frozenset({Actor.ARBITRATOR})
    ),
}

RecoveryStatus = RefundRecovery.Status
RECOVERY_STEPS: dict[str, Transition] = {
    "recovery_requested": Transition(
        frozenset({NEW}), RecoveryStatus.REQUESTED, frozenset({Actor.ARBITRATOR})
    ),
    "recovery_recovered": Transition(
        frozenset({RecoveryStatus.REQUESTED}),
        RecoveryStatus.RECOVERED,
        frozenset({Actor.PLATFORM, Actor.ARBITRATOR}),
    ),
    "recovery_written_off": Transition(
        frozenset({RecoveryStatus.REQUESTED}),
        RecoveryStatus.WRITTEN_OFF,
        frozenset({Actor.PLATFORM, Actor.ARBITRATOR}),
    ),
}


def advance(
    dispute: Dispute,
    item,
    steps: dict[str, Transition],
    name: str,
    *,
    actor: str,
    user=None,
    payload: dict | None = None,
) -> DisputeEvent:
    """Move ``item.status`` along ``steps[name]``, save ``item`` and audit it on ``dispute``.

    An unsaved ``item`` starts from ``NEW``. The caller holds the dispute's row lock, has set
    the item's other fields, and raises its own webhook; ``IllegalTransition`` as ``apply``.
    """
    step = steps.get(name)
    source = item.status if item.pk else NEW
    if step is None:
        raise IllegalTransition(dispute, name, f"Unknown step '{name}'.")
    if actor not in step.actors:
        raise IllegalTransition(dispute, name, f"A {actor} cannot {name.replace('_', ' ')}.")
    if source not in step.sources:
        raise IllegalTransition(
            dispute,
            name,
            f"Cannot {name.replace('_', ' ')}: it is {item.get_status_display()}.",
        )
    item.status = step.target
    item.save()
    return record(
        dispute,
        name,
        actor=actor,
        user=user,
        payload={
            "object": item._meta.model_name,
            "id": item.pk,
            "from_status": source,
            "status": step.target,
            **(payload or {}),
        },
    )
