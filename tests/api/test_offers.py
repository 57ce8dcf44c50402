"""Negotiation through the API: offers, answers, escalation, the decision; and one dispute
run end to end through the API alone, with the arbitrator deciding in the console's service."""

from rest_framework.test import APIClient

from accounts.models import Party
from arbitration import services
from arbitration.models import Decision, Dispute, Offer
from evidence.analysis import analyze_evidence
from evidence.models import Evidence
from tests.api.conftest import error_of
from tests.api.test_orders import order_body
from tests.conftest import jpeg_upload


def offers_url(dispute, action=""):
    return f"/api/v1/disputes/{dispute.pk}/offers{action}"


def make_offer(client, dispute, **body):
    return client.post(offers_url(dispute), {"party": "merchant", **body}, format="json")


def test_the_merchant_offers_a_percent_of_the_order(client_a, dispute):
    response = make_offer(client_a, dispute, percent=30, message="Sorry about the mug.")
    assert response.status_code == 201
    body = response.json()
    assert body["made_by"] == "merchant"
    assert (body["amount_fen"], body["percent"], body["status"]) == (3000, 30, "pending")
    assert body["message"] == "Sorry about the mug."
    dispute.refresh_from_db()
    assert (dispute.state, dispute.waiting_on) == ("negotiating", "buyer")


def test_the_buyer_counters_the_pending_offer_in_fen(client_a, dispute):
    make_offer(client_a, dispute, amount_fen=2000)
    response = client_a.post(offers_url(dispute), {"party": "buyer", "amount_fen": 6000})
    assert response.status_code == 201
    assert response.json()["made_by"] == "buyer"
    listed = client_a.get(offers_url(dispute)).json()
    assert [(o["made_by"], o["amount_fen"], o["status"]) for o in listed] == [
        ("merchant", 2000, "countered"),
        ("buyer", 6000, "pending"),
    ]


def test_the_buyer_accepts_and_the_dispute_settles_for_the_offer(client_a, dispute):
    make_offer(client_a, dispute, amount_fen=2500)
    response = client_a.post(offers_url(dispute, "/accept"), {"party": "buyer"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "decided"
    assert body["decision"]["outcome"] == "partial_refund"
    assert body["decision"]["amount_fen"] == 2500
    assert body["offers"][0]["status"] == "accepted"
    decision = client_a.get(f"/api/v1/disputes/{dispute.pk}/decision").json()
    assert (decision["amount_fen"], decision["source"]) == (2500, "agreement")


def test_the_buyer_rejects_and_the_merchant_may_answer(client_a, dispute):
    make_offer(client_a, dispute, percent=10)
    response = client_a.post(
        offers_url(dispute, "/reject"), {"party": "buyer", "message": "Too low."}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["offers"][0]["status"] == "rejected"
    assert body["waiting_on"] == "merchant"
    assert body["timeline"][-1]["payload"]["message"] == "Too low."


def test_either_side_escalates_to_an_arbitrator(client_a, dispute):
    make_offer(client_a, dispute, percent=10)
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/escalate",
        {"party": "buyer", "statement": "The photo shows the crack."},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["waiting_on"]) == ("under_review", "arbitrator")
    assert body["offers"][0]["status"] != "pending"


def test_a_bad_percent_is_a_400_naming_the_field(client_a, dispute):
    response = make_offer(client_a, dispute, percent=150)
    assert response.status_code == 400
    error = error_of(response)
    assert set(error["details"]) == {"percent"}
    response = make_offer(client_a, dispute, percent="thirty")
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"percent"}
    assert not Offer.objects.exists()


def test_neither_amount_nor_percent_names_amount_fen(client_a, dispute):
    response = make_offer(client_a, dispute)
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"amount_fen"}


def test_an_unknown_party_is_a_400_naming_the_field(client_a, dispute):
    response = client_a.post(offers_url(dispute), {"party": "arbitrator", "percent": 30})
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"party"}


def test_accepting_with_no_offer_is_a_conflict_with_the_service_code(client_a, dispute):
    response = client_a.post(offers_url(dispute, "/accept"), {"party": "buyer"}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "no_offer"
    dispute.refresh_from_db()
    assert dispute.state == "awaiting_merchant"


def test_an_offer_on_a_closed_dispute_is_an_illegal_transition(client_a, dispute):
    services.dispute_withdraw(dispute=dispute, party=dispute.buyer)
    response = make_offer(client_a, dispute, percent=30)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "illegal_transition"
    assert error["details"]["state"] == "withdrawn"
    assert not Offer.objects.exists()


def test_a_replayed_offer_post_is_not_made_twice(client_a, dispute):
    def post():
        return client_a.post(
            offers_url(dispute),
            {"party": "merchant", "percent": 30},
            format="json",
            HTTP_IDEMPOTENCY_KEY="offer-1",
        )

    first, again = post(), post()
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Offer.objects.count() == 1
    conflict = client_a.post(
        offers_url(dispute),
        {"party": "merchant", "percent": 40},
        format="json",
        HTTP_IDEMPOTENCY_KEY="offer-1",
    )
    assert conflict.status_code == 409
    assert error_of(conflict)["code"] == "idempotency_conflict"


def test_there_is_no_decision_before_one_is_made(client_a, dispute):
    response = client_a.get(f"/api/v1/disputes/{dispute.pk}/decision")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found"
    assert error["message"] == "This dispute has no decision yet."


def test_another_platform_cannot_see_or_touch_the_negotiation(client_b, client_a, dispute):
    make_offer(client_a, dispute, percent=30)
    paths = [offers_url(dispute), f"/api/v1/disputes/{dispute.pk}/decision"]
    for path in paths:
        assert client_b.get(path).status_code == 404
    posts = {
        offers_url(dispute): {"party": "merchant", "percent": 30},
        offers_url(dispute, "/accept"): {"party": "buyer"},
        offers_url(dispute, "/reject"): {"party": "buyer"},
        f"/api/v1/disputes/{dispute.pk}/escalate": {"party": "buyer"},
    }
    for path, body in posts.items():
        response = client_b.post(path, body, format="json")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert Offer.objects.get().status == "pending"
    dispute.refresh_from_db()
    assert dispute.state == "negotiating"


def test_a_dispute_runs_through_the_api_alone(client_a, arbitrator):
    """Order → dispute with a photo → analysis webhook → offer → reject → escalate →
    the arbitrator decides 40 % → the decision and its webhook event are readable."""
    order = client_a.post("/api/v1/orders", order_body(amount_fen=10000, items=[]), format="json")
    assert order.status_code == 201
    opened = client_a.post(
        "/api/v1/disputes",
        {
            "order": "SO-1001",
            "reason": "damaged",
            "remedy": "partial_refund",
            "description": "The tin arrived crushed.",
            "files": [jpeg_upload("tin.jpg")],
        },
        format="multipart",
    )
    assert opened.status_code == 201
    pk = opened.json()["id"]

    evidence = Evidence.objects.get(dispute_id=pk)
    analyze_evidence(evidence.pk)
    analyzed = client_a.get("/api/v1/events", {"type": "evidence.analyzed"}).json()["results"]
    assert [event["data"]["uid"] for event in analyzed] == [str(evidence.uid)]
    assert client_a.get(f"/api/v1/disputes/{pk}/evidence").json()[0]["analysis"] == "done"

    dispute = Dispute(pk=pk)
    offered = make_offer(client_a, dispute, percent=30)
    assert (offered.status_code, offered.json()["amount_fen"]) == (201, 3000)
    rejected = client_a.post(offers_url(dispute, "/reject"), {"party": "buyer"}, format="json")
    assert rejected.status_code == 200
    escalated = client_a.post(
        f"/api/v1/disputes/{pk}/escalate",
        {"party": "buyer", "statement": "The tin was crushed in transit."},
        format="json",
    )
    assert escalated.json()["state"] == "under_review"

    services.dispute_decide(
        dispute=Dispute.objects.get(pk=pk),
        user=arbitrator,
        outcome=Decision.Outcome.PARTIAL_REFUND,
        reasoning="The damage is real but partial.",
        percent=40,
    )
    decision = client_a.get(f"/api/v1/disputes/{pk}/decision")
    assert decision.status_code == 200
    assert (decision.json()["outcome"], decision.json()["amount_fen"]) == ("partial_refund", 4000)
    decided = client_a.get("/api/v1/events", {"type": "dispute.decided"}).json()["results"]
    assert [(e["data"]["dispute"], e["data"]["amount_fen"]) for e in decided] == [(pk, 4000)]
    actors = [e["actor"] for e in client_a.get(f"/api/v1/disputes/{pk}").json()["timeline"]]
    assert {Party.Kind.MERCHANT, Party.Kind.BUYER, "arbitrator"} <= set(actors)


def test_a_call_without_a_key_is_refused(db, dispute):
    response = APIClient().post(offers_url(dispute), {"party": "merchant", "percent": 30})
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert not Offer.objects.exists()
