"""The state machine: every legal move does what it says, every illegal one changes nothing."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from arbitration import lifecycle
from arbitration.models import Dispute, DisputeEvent
from arbitration.services.common import locked

State = Dispute.State
Actor = DisputeEvent.Actor
Side = Dispute.Side
TRANSITIONS = lifecycle.TRANSITIONS

LEGAL = [
    (name, source, actor)
    for name, transition in TRANSITIONS.items()
    for source in sorted(transition.sources)
    for actor in sorted(transition.actors)
]
WRONG_STATE = [
    (name, state)
    for name, transition in TRANSITIONS.items()
    for state in State.values
    if state not in transition.sources
]
WRONG_ACTOR = [
    (name, actor)
    for name, transition in TRANSITIONS.items()
    for actor in Actor.values
    if actor not in transition.actors
]


def apply_locked(dispute, name, **kwargs):
    """Apply as the services do: inside a transaction, on the row re-read under its lock."""
    with transaction.atomic():
        return lifecycle.apply(locked(dispute), name, **kwargs)


@pytest.mark.parametrize(("name", "source", "actor"), LEGAL)
def test_each_transition_moves_the_dispute_and_writes_its_event(
    dispute_in, arbitrator, name, source, actor
):
    transition = TRANSITIONS[name]
    dispute = dispute_in(source)
    due = timezone.now() + timedelta(hours=48)

    event = apply_locked(
        dispute,
        name,
        actor=actor,
        user=arbitrator,
        waiting_on=Side.MERCHANT,
        due=due,
        payload={"note": "why"},
    )

    dispute.refresh_from_db()
    assert dispute.state == transition.target
    if transition.target in lifecycle.DEADLINE_STATES:
        assert (dispute.waiting_on, dispute.deadline_at) == (Side.MERCHANT, due)
    else:
        assert (dispute.waiting_on, dispute.deadline_at) == (Side.NOBODY, None)
    stored = DisputeEvent.objects.get(dispute=dispute)
    assert stored == event
    assert (stored.action, stored.from_state, stored.to_state) == (name, source, transition.target)
    assert (stored.actor, stored.actor_user, stored.payload) == (actor, arbitrator, {"note": "why"})


@pytest.mark.parametrize(("name", "source", "actor"), LEGAL)
def test_allowed_agrees_with_apply_on_legal_moves(dispute_in, name, source, actor):
    assert lifecycle.allowed(dispute_in(source), name, actor)


def test_terminal_states_clear_whose_move_it_is(dispute_in):
    deadline = timezone.now() + timedelta(hours=1)
    dispute = dispute_in(State.UNDER_REVIEW, waiting_on=Side.ARBITRATOR, deadline_at=deadline)

    apply_locked(dispute, "decide", actor=Actor.ARBITRATOR, waiting_on=Side.BUYER, due=deadline)

    dispute.refresh_from_db()
    assert (dispute.waiting_on, dispute.deadline_at) == (Side.NOBODY, None)


def assert_unchanged(dispute, state, deadline):
    dispute.refresh_from_db()
    assert (dispute.state, dispute.deadline_at) == (state, deadline)
    assert not DisputeEvent.objects.filter(dispute=dispute).exists()


@pytest.mark.parametrize(("name", "state"), WRONG_STATE)
def test_it_rejects_a_transition_from_a_state_outside_its_sources(dispute_in, name, state):
    deadline = timezone.now() + timedelta(hours=5)
    dispute = dispute_in(state, deadline_at=deadline)
    actor = sorted(TRANSITIONS[name].actors)[0]

    with pytest.raises(lifecycle.IllegalTransition) as caught:
        apply_locked(dispute, name, actor=actor, waiting_on=Side.BUYER, due=None)

    assert (caught.value.state, caught.value.transition) == (state, name)
    assert (caught.value.dispute_id, caught.value.code) == (dispute.pk, "illegal_transition")
    assert str(Dispute.State(state).label) in str(caught.value)
    assert not lifecycle.allowed(dispute, name, actor)
    assert_unchanged(dispute, state, deadline)


@pytest.mark.parametrize(("name", "actor"), WRONG_ACTOR)
def test_it_rejects_a_transition_by_an_actor_not_allowed_to_make_it(dispute_in, name, actor):
    source = sorted(TRANSITIONS[name].sources)[0]
    deadline = timezone.now() + timedelta(hours=5)
    dispute = dispute_in(source, deadline_at=deadline)

    with pytest.raises(lifecycle.IllegalTransition) as caught:
        apply_locked(dispute, name, actor=actor)

    assert f"A {actor} cannot" in str(caught.value)
    assert not lifecycle.allowed(dispute, name, actor)
    assert_unchanged(dispute, source, deadline)


def test_it_rejects_an_unknown_transition(dispute_in):
    dispute = dispute_in(State.AWAITING_MERCHANT)

    with pytest.raises(lifecycle.IllegalTransition, match="Unknown transition"):
        apply_locked(dispute, "teleport", actor=Actor.SYSTEM)

    assert_unchanged(dispute, State.AWAITING_MERCHANT, None)


def test_the_state_groups_cover_every_state_once(db):
    active_or_terminal = lifecycle.ACTIVE_STATES | lifecycle.TERMINAL_STATES
    groups = active_or_terminal | lifecycle.FULFILMENT_STATES | {State.DECIDED}
    assert groups == set(State.values)
    assert not lifecycle.ACTIVE_STATES & lifecycle.TERMINAL_STATES
    assert not lifecycle.FULFILMENT_STATES & active_or_terminal
    assert lifecycle.EVIDENCE_STATES < lifecycle.ACTIVE_STATES
    assert lifecycle.FULFILMENT_STATES < lifecycle.SETTLED_STATES


def test_no_transition_leaves_a_terminal_state(db):
    for transition in TRANSITIONS.values():
        assert not transition.sources & lifecycle.TERMINAL_STATES


def test_record_audits_without_moving_the_dispute(dispute_in, buyer):
    dispute = dispute_in(State.NEGOTIATING)

    event = lifecycle.record(
        dispute, "evidence_added", actor=Actor.BUYER, user=buyer.user, payload={"count": 2}
    )

    dispute.refresh_from_db()
    assert dispute.state == State.NEGOTIATING
    assert (event.from_state, event.to_state) == (State.NEGOTIATING, State.NEGOTIATING)
    assert (event.actor, event.actor_user, event.payload) == (Actor.BUYER, buyer.user, {"count": 2})
