"""Races: two requests on one dispute at the same moment; exactly one of them wins.

Each thread has its own database connection (Django connections are per thread) and the
barrier releases both at once. PostgreSQL serialises them on ``select_for_update``; SQLite
on its IMMEDIATE transactions, which take the write lock at BEGIN.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arbitration import lifecycle, services
from arbitration.errors import DomainError
from arbitration.models import Decision, DisputeEvent, Offer, Refund
from arbitration.services.common import locked
from tests.conftest import jpeg_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run ``calls`` in parallel threads started together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def split(results):
    failures = [r for r in results if isinstance(r, Exception)]
    return [r for r in results if not isinstance(r, Exception)], failures


def test_two_arbitrators_deciding_at_once_make_one_decision(dispute, buyer, arbitrator):
    services.dispute_escalate(dispute=dispute, party=buyer)
    other = UserFactory(username="judge2", is_arbitrator=True)

    results = race(
        lambda: services.dispute_decide(
            dispute=dispute, user=arbitrator, outcome="full_refund", reasoning="Cracked."
        ),
        lambda: services.dispute_decide(
            dispute=dispute, user=other, outcome="partial_refund", percent=40, reasoning="Half."
        ),
    )

    wins, losses = split(results)
    assert len(wins) == 1
    assert len(losses) == 1
    assert isinstance(losses[0], lifecycle.IllegalTransition)
    decision = Decision.objects.get()
    assert decision.pk == wins[0].pk
    assert Refund.objects.get().amount_fen == decision.amount_fen
    assert DisputeEvent.objects.filter(dispute=dispute, action="decide").count() == 1
    dispute.refresh_from_db()
    assert dispute.state == "decided"


def test_accepting_an_offer_while_it_is_countered_settles_one_way_only(dispute, buyer, merchant):
    offer = services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)

    results = race(
        lambda: services.offer_accept(dispute=dispute, party=buyer),
        lambda: services.offer_make(dispute=dispute, party=buyer, amount_fen=7000),
    )

    wins, losses = split(results)
    assert len(wins) == 1
    assert len(losses) == 1
    assert isinstance(losses[0], DomainError | lifecycle.IllegalTransition)
    offer.refresh_from_db()
    dispute.refresh_from_db()
    if isinstance(wins[0], Decision):
        assert (offer.status, dispute.state) == ("accepted", "decided")
        assert wins[0].amount_fen == 3000
        assert not Offer.objects.filter(status="pending").exists()
    else:
        assert (offer.status, dispute.state) == ("countered", "negotiating")
        assert not Decision.objects.exists()
        assert Offer.objects.get(status="pending").amount_fen == 7000


def test_accepting_while_the_merchant_accepts_the_claim_settles_once(dispute, buyer, merchant):
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)

    results = race(
        lambda: services.offer_accept(dispute=dispute, party=buyer),
        lambda: services.merchant_accept_claim(dispute=dispute, party=merchant),
    )

    wins, losses = split(results)
    assert len(wins) == 1
    assert len(losses) == 1
    assert isinstance(losses[0], DomainError | lifecycle.IllegalTransition)
    assert Decision.objects.count() == 1
    assert Refund.objects.count() == 1
    assert DisputeEvent.objects.filter(dispute=dispute, action="decision").count() == 1


def test_two_opens_of_one_order_make_one_dispute(order, buyer):
    def open_it():
        return services.dispute_open(
            order=order,
            buyer=buyer,
            reason="damaged",
            remedy="refund_only",
            description="Cracked.",
            files=[jpeg_upload()],
        )

    results = race(open_it, open_it)

    wins, losses = split(results)
    assert len(wins) == 1
    assert len(losses) == 1
    assert isinstance(losses[0], DomainError)
    assert losses[0].code == "dispute_exists"
    assert order.disputes.count() == 1


def test_the_dispute_lock_holds_only_the_dispute_row(dispute):
    """Locking the order and parties too would serialise a merchant's disputes and deadlock
    against an insert that references them."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked(dispute)

    sql = queries.captured_queries[-1]["sql"]
    if connection.features.has_select_for_update:
        assert sql.endswith('FOR UPDATE OF "arbitration_dispute"')
    else:
        assert "FOR UPDATE" not in sql
