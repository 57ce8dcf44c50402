"""Two answers to one offer at once: one wins, the other is told of the conflict (409), and
the dispute moves once."""

import threading

import pytest
from django.db import connection

from arbitration import services
from arbitration.models import Decision, Offer
from tests.api.conftest import error_of


def answer(client, dispute, action):
    return client.post(
        f"/api/v1/disputes/{dispute.pk}/offers/{action}", {"party": "buyer"}, format="json"
    )


@pytest.fixture
def offered(dispute, merchant):
    services.offer_make(dispute=dispute, party=merchant, percent=30)
    return dispute


def test_answering_an_offer_already_answered_is_a_conflict(client_a, offered):
    assert answer(client_a, offered, "reject").status_code == 200

    late = answer(client_a, offered, "accept")

    assert late.status_code == 409
    assert error_of(late)["code"] == "no_offer"
    assert Offer.objects.get().status == "rejected"


def test_a_counter_when_there_is_nothing_to_counter_is_a_conflict(client_a, dispute):
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/offers", {"party": "buyer", "percent": 50}, format="json"
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "no_offer"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("actions", [("accept", "reject"), ("accept", "accept")])
def test_the_loser_of_an_answer_race_gets_409(api_client, offered, actions):
    client = api_client(offered.platform)
    barrier = threading.Barrier(2)
    results = {}

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = answer(client, offered, action)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(response.status_code for response in results.values())
    assert codes == [200, 409]
    [loser] = [r for r in results.values() if r.status_code == 409]
    assert error_of(loser)["code"] in {"no_offer", "illegal_transition"}
    assert Offer.objects.exclude(status="pending").count() == 1
    [winner] = [actions[i] for i, r in results.items() if r.status_code == 200]
    assert Decision.objects.count() == (1 if winner == "accept" else 0)
    assert Offer.objects.get().status == ("accepted" if winner == "accept" else "rejected")
